#pragma once

#include <QDialog>
#include <QStringList>

namespace Ui {
class SettingsDialog;
}

namespace spool::app {

class AppSettings;

class SettingsDialog final : public QDialog
{
    Q_OBJECT

public:
    // `kinds`: the job kinds a per-kind limit can be set for.
    SettingsDialog(AppSettings *settings, const QStringList &kinds, QWidget *parent = nullptr);
    ~SettingsDialog() override;
    Q_DISABLE_COPY_MOVE(SettingsDialog)

    // Writes the dialog's values to the settings.
    void save();

private:
    Ui::SettingsDialog *m_ui;
    AppSettings *m_settings;
};

} // namespace spool::app
