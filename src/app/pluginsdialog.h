#pragma once

#include <QDialog>
#include <QTimer>

namespace Ui {
class PluginsDialog;
}

namespace spool::app {

// The plugins found (and why any were refused), and how legacy plugin jobs shared the GIL in
// this session, refreshed while the dialog is open.
class PluginsDialog final : public QDialog
{
    Q_OBJECT

public:
    explicit PluginsDialog(QWidget *parent = nullptr);
    ~PluginsDialog() override;
    Q_DISABLE_COPY_MOVE(PluginsDialog)

    // Refused plugins, for the status bar at start.
    static int refusedCount();

private:
    void fillPlugins();
    void fillGilStats();

    Ui::PluginsDialog *m_ui;
    QTimer m_refresh;
};

} // namespace spool::app
