#pragma once

#include <QStyledItemDelegate>

namespace spool::app {

// Paints the progress column as a progress bar in the platform's style, in rows a little taller
// than the text (room for the bar); only paints.
class ProgressDelegate final : public QStyledItemDelegate
{
    Q_OBJECT

public:
    using QStyledItemDelegate::QStyledItemDelegate;
    void paint(QPainter *painter, const QStyleOptionViewItem &option,
        const QModelIndex &index) const override;
    QSize sizeHint(const QStyleOptionViewItem &option, const QModelIndex &index) const override;
};

} // namespace spool::app
