#pragma once

#include <QTableView>

namespace spool::app {

// The job table: a QTableView that says what to do when it has no rows, that Tab leaves (the
// cells are not edited, so Tab moves on to the details instead of along the row), and whose split
// jobs' rows open and close as a tree's do.
class JobTableView final : public QTableView
{
    Q_OBJECT

public:
    explicit JobTableView(QWidget *parent = nullptr);

    // Shown in the middle of the table while it has no rows; empty shows nothing.
    void setPlaceholderText(const QString &text);
    QString placeholderText() const { return m_placeholder; }

    // Opens the context menu for the current row, where the keyboard is (Shift+F10, Menu).
    void requestContextMenuAtCurrent();

Q_SIGNALS:
    // A split job's row is to open (show its parts) or close: a click on its arrow, or Right and
    // Left (+ and -) on it.
    void expandRequested(const QModelIndex &index, bool expand);

protected:
    void paintEvent(QPaintEvent *event) override;
    void mousePressEvent(QMouseEvent *event) override;
    void mouseDoubleClickEvent(QMouseEvent *event) override;
    void keyPressEvent(QKeyEvent *event) override;

private:
    bool toggledByArrow(QMouseEvent *event);

    QString m_placeholder;
};

} // namespace spool::app
