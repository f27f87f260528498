#pragma once

#include <QStyledItemDelegate>

namespace spool::app {

// The room a split job's row keeps for its open/close arrow (its parts' names start further in).
int expanderWidth(const QFontMetrics &metrics);

// Paints the progress column as a progress bar in the platform's style, and a split job's row
// with the arrow that opens it; only paints.
class ProgressDelegate final : public QStyledItemDelegate
{
    Q_OBJECT

public:
    using QStyledItemDelegate::QStyledItemDelegate;
    void paint(QPainter *painter, const QStyleOptionViewItem &option,
        const QModelIndex &index) const override;

private:
    void paintName(
        QPainter *painter, const QStyleOptionViewItem &option, const QModelIndex &index) const;
};

} // namespace spool::app
