#include "jobtableview.h"

#include <QPainter>

namespace spool::app {

JobTableView::JobTableView(QWidget *parent)
    : QTreeView(parent)
{
    setTabKeyNavigation(false);
    // Only split jobs have children: a narrow step keeps their parts' names in view.
    setIndentation(fontMetrics().horizontalAdvance(QLatin1Char('0')) * 2);
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

void JobTableView::paintEvent(QPaintEvent *event)
{
    QTreeView::paintEvent(event);
    if (m_placeholder.isEmpty() || !model() || model()->rowCount(rootIndex()) > 0)
        return;
    QPainter painter(viewport());
    painter.setPen(palette().color(QPalette::PlaceholderText));
    const QRect area = viewport()->rect().adjusted(24, 24, -24, -24);
    painter.drawText(area, Qt::AlignCenter | Qt::TextWordWrap, m_placeholder);
}

} // namespace spool::app
