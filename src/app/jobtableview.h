#pragma once

#include <QTableView>

namespace spool::app {

// The job table: a QTableView that says what to do when it has no rows, and that Tab leaves
// (the cells are not edited, so Tab moves on to the details instead of along the row).
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

protected:
    void paintEvent(QPaintEvent *event) override;

private:
    QString m_placeholder;
};

} // namespace spool::app
