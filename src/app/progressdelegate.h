#pragma once

#include <QStyledItemDelegate>

namespace spool::app {

// Paints the progress column as a progress bar in the platform's style; only paints.
class ProgressDelegate final : public QStyledItemDelegate
{
    Q_OBJECT

public:
    using QStyledItemDelegate::QStyledItemDelegate;
    void paint(QPainter *painter, const QStyleOptionViewItem &option,
        const QModelIndex &index) const override;
};

} // namespace spool::app
