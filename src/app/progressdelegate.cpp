#include "progressdelegate.h"

#include <QApplication>
#include <QPainter>
#include <QStyleOptionProgressBar>

#include "jobtablemodel.h"

namespace spool::app {

int expanderWidth(const QFontMetrics &metrics)
{
    return metrics.height() + 4;
}

void ProgressDelegate::paint(
    QPainter *painter, const QStyleOptionViewItem &option, const QModelIndex &index) const
{
    if (index.column() == JobTableModel::NameColumn) {
        paintName(painter, option, index);
        return;
    }
    if (index.column() != JobTableModel::ProgressColumn) {
        QStyledItemDelegate::paint(painter, option, index);
        return;
    }
    QStyleOptionViewItem background = option;
    initStyleOption(&background, index);
    background.text.clear();
    const QWidget *widget = option.widget;
    QStyle *style = widget ? widget->style() : QApplication::style();
    style->drawControl(QStyle::CE_ItemViewItem, &background, painter, widget);

    const double fraction = index.data(JobTableModel::FractionRole).toDouble();
    QStyleOptionProgressBar bar;
    bar.rect = option.rect.adjusted(2, 2, -2, -2);
    bar.state = option.state | QStyle::State_Horizontal;
    bar.direction = option.direction;
    bar.fontMetrics = option.fontMetrics;
    bar.palette = option.palette;
    bar.minimum = 0;
    bar.maximum = 1000;
    bar.progress = fraction < 0 ? 0 : int(fraction * 1000.0 + 0.5);
    bar.text = fraction < 0 ? QStringLiteral("–") : index.data(Qt::DisplayRole).toString();
    bar.textVisible = true;
    bar.textAlignment = Qt::AlignCenter;
    const auto state = static_cast<JobState>(index.data(JobTableModel::StateRole).toInt());
    if (state == JobState::Failed || state == JobState::Canceled || state == JobState::Paused)
        bar.state &= ~QStyle::State_Enabled; // a muted bar for jobs that are not moving
    style->drawControl(QStyle::CE_ProgressBar, &bar, painter, widget);
}

// A split job's row: an arrow, then the name; its parts: the name further in.
void ProgressDelegate::paintName(
    QPainter *painter, const QStyleOptionViewItem &option, const QModelIndex &index) const
{
    const QVariant expanded = index.data(JobTableModel::ExpandedRole);
    const bool part = index.data(JobTableModel::PartRole).toBool();
    if (!expanded.isValid() && !part) {
        QStyledItemDelegate::paint(painter, option, index);
        return;
    }
    const QWidget *widget = option.widget;
    QStyle *style = widget ? widget->style() : QApplication::style();
    QStyleOptionViewItem background = option;
    initStyleOption(&background, index);
    background.text.clear();
    style->drawControl(QStyle::CE_ItemViewItem, &background, painter, widget);

    const int step = expanderWidth(option.fontMetrics);
    if (expanded.isValid()) {
        QStyleOption arrow;
        arrow.rect = QRect(option.rect.left(), option.rect.top(), step, option.rect.height());
        arrow.palette = option.palette;
        arrow.direction = option.direction;
        arrow.state = (option.state & QStyle::State_Enabled) | QStyle::State_Children
            | QStyle::State_Item | (expanded.toBool() ? QStyle::State_Open : QStyle::State_None);
        style->drawPrimitive(QStyle::PE_IndicatorBranch, &arrow, painter, widget);
    }
    QStyleOptionViewItem text = option;
    text.rect.setLeft(option.rect.left() + (part ? 2 * step : step));
    QStyledItemDelegate::paint(painter, text, index);
}

} // namespace spool::app
