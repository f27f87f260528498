#pragma once

#include <QDialog>
#include <QStringList>

class QComboBox;
class QTableWidget;

namespace Ui {
class SettingsDialog;
}

namespace spool::app {

class AppSettings;

class SettingsDialog final : public QDialog
{
    Q_OBJECT

public:
    // `kinds`: the job kinds a per-kind limit can be set for; `legacyPlugins`: the plugins that
    // may run under the GIL or in worker processes, each its own way if the user wants.
    SettingsDialog(AppSettings *settings, const QStringList &kinds,
        const QStringList &legacyPlugins = {}, QWidget *parent = nullptr);
    ~SettingsDialog() override;
    Q_DISABLE_COPY_MOVE(SettingsDialog)

    // Writes the dialog's values to the settings.
    void save();

private:
    QList<QComboBox *> pluginModeCombos() const; // one per legacy plugin row
    static void showRows(QTableWidget *table, int most);
    void explain(); // tooltips: what each choice gains and risks
    void setUpQueueChoice();
    // Connects to a shared queue and says what it found, in one line (on a pool thread).
    static QString testSharedQueue(const QString &url);
    Ui::SettingsDialog *m_ui;
    AppSettings *m_settings;
    bool m_testing = false;
};

} // namespace spool::app
