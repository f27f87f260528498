#include "pluginsdialog.h"

#include <QFileInfo>

#include "plugins/pluginhost.h"
#include "problemline.h"
#include "ui_pluginsdialog.h"

namespace spool::app {

namespace {
QString triple(const std::array<quint64, Gil::kBuckets> &histogram, quint64 max)
{
    return QStringLiteral("%1 / %2 / %3")
        .arg(std::min(Gil::Stats::percentileUs(histogram, 0.5), max))
        .arg(std::min(Gil::Stats::percentileUs(histogram, 0.99), max))
        .arg(max);
}
} // namespace

PluginsDialog::PluginsDialog(QWidget *parent)
    : QDialog(parent)
    , m_ui(new Ui::PluginsDialog)
{
    m_ui->setupUi(this);
    fillPlugins();
    fillGilStats();
    for (QTreeWidget *tree : { m_ui->pluginTree, m_ui->gilTree }) {
        for (int c = 0; c < tree->columnCount(); ++c)
            tree->resizeColumnToContents(c);
    }
    m_refresh.setInterval(1000);
    connect(&m_refresh, &QTimer::timeout, this, &PluginsDialog::fillGilStats);
    m_refresh.start();
}

PluginsDialog::~PluginsDialog()
{
    delete m_ui;
}

int PluginsDialog::refusedCount()
{
    int refused = 0;
    for (const PluginInfo &p : PluginHost::instance().plugins())
        refused += p.refusal.isEmpty() ? 0 : 1;
    return refused;
}

void PluginsDialog::fillPlugins()
{
    m_ui->pluginTree->clear();
    const QList<PluginInfo> plugins = PluginHost::instance().plugins();
    for (const PluginInfo &p : plugins) {
        QStringList kinds;
        for (const PluginKindInfo &k : p.kinds)
            kinds.append(k.name);
        QString runs;
        if (p.refusal.isEmpty())
            runs = p.threadSafe
                ? tr("in parallel (thread-safe)")
                : (PluginHost::instance().gilModeFor(p.name) ? tr("under the GIL (legacy)")
                                                             : tr("in worker processes (legacy)"));
        auto *item = new QTreeWidgetItem(m_ui->pluginTree,
            { p.name.isEmpty() ? QFileInfo(p.file).fileName() : p.name, p.version,
                kinds.join(QStringLiteral(", ")), runs,
                p.refusal.isEmpty() ? tr("in use") : tr("refused: %1").arg(p.refusal), p.file });
        item->setToolTip(4, p.refusal);
        if (!p.refusal.isEmpty())
            item->setForeground(4, problemColor());
    }
    if (plugins.isEmpty())
        new QTreeWidgetItem(m_ui->pluginTree,
            { tr("No plugins in %1")
                    .arg(PluginHost::defaultDirectories().join(QStringLiteral(", "))) });
}

void PluginsDialog::fillGilStats()
{
    const QHash<QString, Gil::Stats> stats = PluginHost::instance().gil().stats();
    QStringList names = stats.keys();
    names.sort();
    m_ui->gilTree->clear();
    for (const QString &name : std::as_const(names)) {
        const Gil::Stats &s = stats.value(name);
        new QTreeWidgetItem(m_ui->gilTree,
            { name, QString::number(s.acquisitions), QString::number(s.handoffs),
                QString::number(s.ioReturns), triple(s.waitUs, s.maxWaitUs),
                triple(s.holdUs, s.maxHoldUs) });
    }
    if (names.isEmpty())
        new QTreeWidgetItem(m_ui->gilTree, { tr("No legacy plugin job has run here yet.") });
}

} // namespace spool::app
