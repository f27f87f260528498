#include "sparkline.h"

#include <algorithm>

#include <QPainter>
#include <QPainterPath>

namespace spool::app {

Sparkline::Sparkline(QWidget *parent)
    : QWidget(parent)
{
    setMinimumHeight(36);
}

void Sparkline::setValues(const QVector<double> &values)
{
    m_values = values;
    update();
}

void Sparkline::paintEvent(QPaintEvent *)
{
    QPainter p(this);
    p.setRenderHint(QPainter::Antialiasing);
    const QRectF area = QRectF(rect()).adjusted(1, 2, -1, -2);
    p.setPen(palette().color(QPalette::Mid));
    p.drawRect(area);
    if (m_values.size() < 2)
        return;
    const double top = std::max(1.0, *std::max_element(m_values.cbegin(), m_values.cend()));
    QPainterPath line;
    for (qsizetype i = 0; i < m_values.size(); ++i) {
        const QPointF point(area.left() + area.width() * double(i) / double(m_values.size() - 1),
            area.bottom() - area.height() * std::max(0.0, m_values.at(i)) / top);
        if (i == 0)
            line.moveTo(point);
        else
            line.lineTo(point);
    }
    p.setPen(QPen(palette().color(QPalette::Highlight), 1.5));
    p.drawPath(line);
}

} // namespace spool::app
