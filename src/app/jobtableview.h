#pragma once

#include <QTreeView>

namespace spool::app {

// The job table: a tree view (a split job's row opens into its parts) that says what to do when
// it has no rows. Tab leaves it for the details: the cells are not edited.
class JobTableView final : public QTreeView
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
