#pragma once

#include <QVector>
#include <QWidget>

namespace spool::app {

// A small line graph of recent values (a download's speed over time). Only paints.
class Sparkline final : public QWidget
{
    Q_OBJECT

public:
    explicit Sparkline(QWidget *parent = nullptr);
    void setValues(const QVector<double> &values);
    QSize sizeHint() const override { return QSize(240, 48); }

protected:
    void paintEvent(QPaintEvent *event) override;

private:
    QVector<double> m_values;
};

} // namespace spool::app
