#include "jobtableview.h"

#include <QKeyEvent>
#include <QMouseEvent>
#include <QPainter>

#include "jobtablemodel.h"
#include "progressdelegate.h"

namespace spool::app {

JobTableView::JobTableView(QWidget *parent)
    : QTableView(parent)
{
    setTabKeyNavigation(false);
}

void JobTableView::setPlaceholderText(const QString &text)
{
    if (text == m_placeholder)
        return;
    m_placeholder = text;
    viewport()->update();
}

void JobTableView::requestContextMenuAtCurrent()
{
    const QModelIndex current = currentIndex();
    const QRect cell = current.isValid() ? visualRect(current) : QRect();
    // Below the current cell's left part, as a mouse click there would; the top left corner
    // when there is no current row.
    const QPoint pos = cell.isValid() ? QPoint(cell.left() + 8, cell.bottom()) : QPoint(8, 8);
    Q_EMIT customContextMenuRequested(pos);
}

// A press on a split job's arrow opens or closes it (a double click: twice), and does nothing
// else: it does not select the row, and never opens the job's output.
bool JobTableView::toggledByArrow(QMouseEvent *event)
{
    const QModelIndex index = indexAt(event->position().toPoint());
    const QVariant expanded = index.data(JobTableModel::ExpandedRole);
    if (index.column() != JobTableModel::NameColumn || !expanded.isValid()
        || event->button() != Qt::LeftButton
        || event->position().x() - visualRect(index).left() >= expanderWidth(fontMetrics()))
        return false;
    Q_EMIT expandRequested(index, !expanded.toBool());
    return true;
}

void JobTableView::mousePressEvent(QMouseEvent *event)
{
    if (!toggledByArrow(event))
        QTableView::mousePressEvent(event);
}

void JobTableView::mouseDoubleClickEvent(QMouseEvent *event)
{
    if (!toggledByArrow(event))
        QTableView::mouseDoubleClickEvent(event);
}

void JobTableView::keyPressEvent(QKeyEvent *event)
{
    const QVariant expanded = currentIndex().data(JobTableModel::ExpandedRole);
    const bool open = event->key() == Qt::Key_Right || event->key() == Qt::Key_Plus;
    const bool close = event->key() == Qt::Key_Left || event->key() == Qt::Key_Minus;
    const bool plain = (event->modifiers() & ~(Qt::ShiftModifier | Qt::KeypadModifier)) == 0;
    if (expanded.isValid() && (open || close) && plain) {
        if (expanded.toBool() != open)
            Q_EMIT expandRequested(currentIndex(), open);
        return;
    }
    QTableView::keyPressEvent(event);
}

void JobTableView::paintEvent(QPaintEvent *event)
{
    QTableView::paintEvent(event);
    if (m_placeholder.isEmpty() || !model() || model()->rowCount(rootIndex()) > 0)
        return;
    QPainter painter(viewport());
    painter.setPen(palette().color(QPalette::PlaceholderText));
    const QRect area = viewport()->rect().adjusted(24, 24, -24, -24);
    painter.drawText(area, Qt::AlignCenter | Qt::TextWordWrap, m_placeholder);
}

} // namespace spool::app
