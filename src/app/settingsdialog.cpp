#include "settingsdialog.h"

#include <QComboBox>
#include <QFileDialog>
#include <QFutureWatcher>
#include <QHeaderView>
#include <QSpinBox>
#include <QTableWidget>
#include <QtConcurrent/QtConcurrentRun>

#include "appsettings.h"
#include "store/postgresjobstore.h"
#include "ui_settingsdialog.h"

namespace spool::app {

namespace {
const WorkerPriority kPriorities[] = { WorkerPriority::Low, WorkerPriority::Idle,
    WorkerPriority::Normal };
}

SettingsDialog::SettingsDialog(AppSettings *settings, const QStringList &kinds,
    const QStringList &legacyPlugins, QWidget *parent)
    : QDialog(parent)
    , m_ui(new Ui::SettingsDialog)
    , m_settings(settings)
{
    m_ui->setupUi(this);
    m_ui->workersSpin->setValue(settings->workers());
    for (int i = 0; i < 3; ++i) {
        if (kPriorities[i] == settings->priority())
            m_ui->priorityCombo->setCurrentIndex(i);
    }
    m_ui->hostCapSpin->setValue(settings->hostCap());
    m_ui->retentionSpin->setValue(settings->retentionDays());
    m_ui->downloadDirEdit->setText(settings->downloadDir());
    m_ui->legacyCombo->setCurrentIndex(settings->gilMode() ? 0 : 1);
    m_ui->switchSpin->setValue(settings->gilSwitchIntervalMs());
    m_ui->notifySuccessCheck->setChecked(settings->notifyOnSuccess());
    m_ui->notifyFailureCheck->setChecked(settings->notifyOnFailure());
    const QHash<QString, int> caps = settings->kindCaps();
    m_ui->kindCapsTable->setRowCount(int(kinds.size()));
    for (int row = 0; row < kinds.size(); ++row) {
        auto *name = new QTableWidgetItem(kinds.at(row));
        name->setFlags(Qt::ItemIsEnabled);
        m_ui->kindCapsTable->setItem(row, 0, name);
        auto *spin = new QSpinBox(m_ui->kindCapsTable);
        spin->setRange(0, 256);
        spin->setSpecialValueText(tr("no limit"));
        spin->setValue(caps.value(kinds.at(row)));
        m_ui->kindCapsTable->setCellWidget(row, 1, spin);
    }
    // Legacy plugins: as the global choice above, or each its own way.
    const QHash<QString, bool> modes = settings->pluginGilModes();
    m_ui->pluginModesTable->setRowCount(int(legacyPlugins.size()));
    for (int row = 0; row < legacyPlugins.size(); ++row) {
        const QString &plugin = legacyPlugins.at(row);
        auto *name = new QTableWidgetItem(plugin);
        name->setFlags(Qt::ItemIsEnabled);
        m_ui->pluginModesTable->setItem(row, 0, name);
        auto *combo = new QComboBox(m_ui->pluginModesTable);
        combo->addItems({ tr("As chosen above"), tr("One at a time, inside Spool"),
            tr("Side by side, each in a helper process") });
        combo->setCurrentIndex(!modes.contains(plugin) ? 0 : modes.value(plugin) ? 1 : 2);
        m_ui->pluginModesTable->setCellWidget(row, 1, combo);
    }
    m_ui->pluginModesTable->resizeColumnToContents(0);
    showRows(m_ui->kindCapsTable, 6);
    showRows(m_ui->pluginModesTable, 3);
    explain();
    // The interval only matters when a legacy plugin may run under the GIL.
    const auto updateSwitchSpin = [this] {
        bool gil = m_ui->legacyCombo->currentIndex() == 0;
        for (const QComboBox *combo : pluginModeCombos())
            gil = gil || combo->currentIndex() == 1;
        m_ui->switchSpin->setEnabled(gil);
    };
    updateSwitchSpin();
    connect(m_ui->legacyCombo, &QComboBox::currentIndexChanged, this, updateSwitchSpin);
    for (QComboBox *combo : pluginModeCombos())
        connect(combo, &QComboBox::currentIndexChanged, this, updateSwitchSpin);
    m_ui->pluginModesLabel->setVisible(!legacyPlugins.isEmpty());
    m_ui->pluginModesTable->setVisible(!legacyPlugins.isEmpty());
    setUpQueueChoice();
    connect(m_ui->downloadDirButton, &QToolButton::clicked, this, [this] {
        const QString dir = QFileDialog::getExistingDirectory(
            this, tr("Downloads Go To"), m_ui->downloadDirEdit->text());
        if (!dir.isEmpty())
            m_ui->downloadDirEdit->setText(dir);
    });
}

void SettingsDialog::setUpQueueChoice()
{
    const QString url = m_settings->sharedQueueUrl();
    m_ui->queueCombo->setCurrentIndex(url.isEmpty() ? 0 : 1);
    m_ui->queueUrlEdit->setText(url);
    const auto update = [this] {
        const bool shared = m_ui->queueCombo->currentIndex() == 1;
        m_ui->queueUrlEdit->setEnabled(shared);
        m_ui->testQueueButton->setEnabled(shared && !m_testing);
        if (!shared)
            m_ui->queueStatusLabel->clear();
    };
    update();
    connect(m_ui->queueCombo, &QComboBox::currentIndexChanged, this, update);
    connect(m_ui->testQueueButton, &QPushButton::clicked, this, [this, update] {
        const QString text = m_ui->queueUrlEdit->text().trimmed();
        if (Error e = PostgresJobStore::checkUrl(text); e.isError()) {
            m_ui->queueStatusLabel->setText(e.message);
            return;
        }
        m_testing = true;
        update();
        m_ui->queueStatusLabel->setText(tr("Connecting…"));
        // Connecting can take seconds: never on this thread.
        auto *watcher = new QFutureWatcher<QString>(this);
        connect(watcher, &QFutureWatcher<QString>::finished, this, [this, watcher, update] {
            m_testing = false;
            update();
            m_ui->queueStatusLabel->setText(watcher->result());
            watcher->deleteLater();
        });
        watcher->setFuture(QtConcurrent::run([text] { return testSharedQueue(text); }));
    });
    m_ui->queueUrlEdit->setToolTip(
        tr("Every computer that points at the same PostgreSQL database shares one queue. The "
           "password comes from ~/.pgpass, never from here. Spool uses the new queue when it "
           "starts again."));
}

QString SettingsDialog::testSharedQueue(const QString &url)
{
    PostgresJobStore::Options options;
    options.url = url;
    options.createIfMissing = false;
    auto store = PostgresJobStore::open(options);
    if (!store) {
        if (store.error().code == ErrorCode::NotFound)
            return tr("Connected. The database has no Spool queue yet; Spool creates it when "
                      "it starts with this queue.");
        return store.error().message;
    }
    const auto counts = store.value()->counts();
    const auto runners = store.value()->runners();
    if (!counts || !runners)
        return !counts ? counts.error().message : runners.error().message;
    return tr("Connected. Jobs in the queue: %1; programs working on it: %2.")
        .arg(counts->total())
        .arg(runners->size());
}

void SettingsDialog::showRows(QTableWidget *table, int most)
{
    // Rows as tall as the editors in them, and room for `most` of them before it scrolls.
    table->verticalHeader()->setDefaultSectionSize(QSpinBox().sizeHint().height() + 2);
    const int rows = qBound(1, table->rowCount(), most);
    table->setMinimumHeight(table->horizontalHeader()->sizeHint().height()
        + rows * table->verticalHeader()->defaultSectionSize() + 2 * table->frameWidth() + 4);
}

void SettingsDialog::explain()
{
    // In plain words: what each choice gains and risks.
    m_ui->workersSpin->setToolTip(
        tr("How many jobs run at the same time. More finishes a long queue sooner, but each "
           "job then shares the processor and the network with more others."));
    m_ui->priorityCombo->setToolTip(
        tr("Low and Idle keep the desktop and Spool's own window quick while jobs run; "
           "Normal finishes jobs sooner when the computer is busy with other things."));
    m_ui->hostCapSpin->setToolTip(
        tr("How many downloads from one server run at once. Servers often slow down or "
           "refuse clients that open many connections."));
    m_ui->retentionSpin->setToolTip(
        tr("Succeeded, failed and canceled jobs older than this leave the list and the queue "
           "(checked every hour). Their output files stay where they are."));
    m_ui->kindCapsTable->setToolTip(tr("Limit one kind of job, e.g. one render at a time while "
                                       "downloads go on beside it."));
    m_ui->legacyCombo->setToolTip(
        tr("Legacy plugins were not written to run several jobs at once. Inside Spool they "
           "take turns: light and quick to start, but a plugin that crashes takes Spool's "
           "running jobs with it. In helper processes they run side by side and a crash "
           "fails only its own job, at the cost of memory and start-up time."));
}

QList<QComboBox *> SettingsDialog::pluginModeCombos() const
{
    QList<QComboBox *> combos;
    for (int row = 0; row < m_ui->pluginModesTable->rowCount(); ++row) {
        if (auto *combo = qobject_cast<QComboBox *>(m_ui->pluginModesTable->cellWidget(row, 1)))
            combos.append(combo);
    }
    return combos;
}

SettingsDialog::~SettingsDialog()
{
    delete m_ui;
}

void SettingsDialog::save()
{
    m_settings->setWorkers(m_ui->workersSpin->value());
    m_settings->setPriority(kPriorities[qBound(0, m_ui->priorityCombo->currentIndex(), 2)]);
    m_settings->setHostCap(m_ui->hostCapSpin->value());
    m_settings->setRetentionDays(m_ui->retentionSpin->value());
    m_settings->setDownloadDir(m_ui->downloadDirEdit->text());
    m_settings->setGilMode(m_ui->legacyCombo->currentIndex() == 0);
    m_settings->setGilSwitchIntervalMs(m_ui->switchSpin->value());
    QHash<QString, bool> modes;
    const QList<QComboBox *> combos = pluginModeCombos();
    for (int row = 0; row < combos.size(); ++row) {
        if (combos.at(row)->currentIndex() > 0)
            modes.insert(
                m_ui->pluginModesTable->item(row, 0)->text(), combos.at(row)->currentIndex() == 1);
    }
    m_settings->setPluginGilModes(modes);
    m_settings->setNotifyOnSuccess(m_ui->notifySuccessCheck->isChecked());
    m_settings->setNotifyOnFailure(m_ui->notifyFailureCheck->isChecked());
    QHash<QString, int> caps;
    for (int row = 0; row < m_ui->kindCapsTable->rowCount(); ++row) {
        const auto *spin = qobject_cast<QSpinBox *>(m_ui->kindCapsTable->cellWidget(row, 1));
        if (spin && spin->value() > 0)
            caps.insert(m_ui->kindCapsTable->item(row, 0)->text(), spin->value());
    }
    m_settings->setKindCaps(caps);
    const bool shared = m_ui->queueCombo->currentIndex() == 1;
    const QString url = m_ui->queueUrlEdit->text().trimmed();
    m_settings->setSharedQueueUrl(
        shared && !PostgresJobStore::checkUrl(url).isError() ? url : QString());
}

} // namespace spool::app
