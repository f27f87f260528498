#include "newpluginjobdialog.h"

#include <QJsonArray>

#include "plugins/pluginhost.h"
#include "problemline.h"
#include "ui_newpluginjobdialog.h"

namespace spool::app {

NewPluginJobDialog::NewPluginJobDialog(
    std::shared_ptr<const JobKindRegistry> registry, QWidget *parent)
    : QDialog(parent)
    , m_ui(new Ui::NewPluginJobDialog)
    , m_registry(std::move(registry))
{
    m_ui->setupUi(this);
    for (const PluginInfo &p : PluginHost::instance().plugins()) {
        if (!p.refusal.isEmpty())
            continue;
        for (const PluginKindInfo &k : p.kinds)
            m_ui->kindCombo->addItem(
                QStringLiteral("%1 (%2%3)")
                    .arg(k.name, p.name, p.threadSafe ? QString() : tr(", legacy")),
                k.name);
    }
    connect(m_ui->kindCombo, &QComboBox::currentIndexChanged, this, &NewPluginJobDialog::showKind);
    connect(m_ui->paramTree, &QTreeWidget::itemChanged, this, &NewPluginJobDialog::revalidate);
    showKind();
}

NewPluginJobDialog::~NewPluginJobDialog()
{
    delete m_ui;
}

bool NewPluginJobDialog::setKind(const QString &kind)
{
    const int index = m_ui->kindCombo->findData(kind);
    if (index < 0)
        return false;
    m_ui->kindCombo->setCurrentIndex(index);
    return true;
}

void NewPluginJobDialog::setValue(const QString &param, const QString &value)
{
    for (int i = 0; i < m_ui->paramTree->topLevelItemCount(); ++i) {
        QTreeWidgetItem *item = m_ui->paramTree->topLevelItem(i);
        if (item->data(0, Qt::UserRole).toString() == param)
            item->setText(1, value); // itemChanged revalidates
    }
}

void NewPluginJobDialog::showKind()
{
    const QString kind = m_ui->kindCombo->currentData().toString();
    const PluginInfo *plugin = PluginHost::instance().pluginFor(kind);
    const QSignalBlocker quiet(m_ui->paramTree);
    m_ui->paramTree->clear();
    m_ui->descriptionLabel->clear();
    if (plugin) {
        for (const PluginKindInfo &k : plugin->kinds) {
            if (k.name != kind)
                continue;
            m_ui->descriptionLabel->setText(k.description);
            for (const ParamSpec &spec : k.params) {
                auto *item = new QTreeWidgetItem(m_ui->paramTree,
                    { spec.name + (spec.required ? QStringLiteral(" *") : QString()),
                        spec.defaultValue.isUndefined() || spec.defaultValue.isNull()
                            ? QString()
                            : spec.defaultValue.toVariant().toString(),
                        spec.description });
                item->setData(0, Qt::UserRole, spec.name);
                item->setFlags(item->flags() | Qt::ItemIsEditable);
            }
        }
    }
    m_ui->paramTree->resizeColumnToContents(0);
    revalidate();
}

void NewPluginJobDialog::revalidate()
{
    m_params = QJsonObject();
    const QString kind = m_ui->kindCombo->currentData().toString();
    if (kind.isEmpty()) {
        m_problem = tr("No plugin provides a job kind here (see Help → Plugins).");
    } else {
        QJsonArray words;
        for (int i = 0; i < m_ui->paramTree->topLevelItemCount(); ++i) {
            const QTreeWidgetItem *item = m_ui->paramTree->topLevelItem(i);
            const QString value = item->text(1).trimmed();
            if (!value.isEmpty())
                words.append(item->data(0, Qt::UserRole).toString() + QLatin1Char('=') + value);
        }
        auto checked = m_registry->validate(QStringLiteral("plugin"),
            QJsonObject { { QStringLiteral("name"), kind }, { QStringLiteral("param"), words } });
        m_problem = checked ? QString() : checked.error().message;
        if (checked)
            m_params = checked.value();
    }
    showProblem(m_ui->problemLabel, m_ui->buttonBox, m_problem);
}

} // namespace spool::app
