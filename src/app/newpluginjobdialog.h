#pragma once

#include <memory>

#include <QDialog>
#include <QJsonObject>

#include "job/jobkindregistry.h"

namespace Ui {
class NewPluginJobDialog;
}

namespace spool::app {

// Asks for a job of a kind a plugin provides: the kind, then its parameters as the plugin's
// schema lists them, checked as they are typed with the queue's own rules.
class NewPluginJobDialog final : public QDialog
{
    Q_OBJECT

public:
    NewPluginJobDialog(std::shared_ptr<const JobKindRegistry> registry, QWidget *parent = nullptr);
    ~NewPluginJobDialog() override;
    Q_DISABLE_COPY_MOVE(NewPluginJobDialog)

    // Picks a kind and sets a parameter's text (for tests and drops).
    bool setKind(const QString &kind);
    void setValue(const QString &param, const QString &value);
    QJsonObject params() const { return m_params; }
    QString problem() const { return m_problem; }

private:
    void showKind();
    void revalidate();

    Ui::NewPluginJobDialog *m_ui;
    std::shared_ptr<const JobKindRegistry> m_registry;
    QJsonObject m_params;
    QString m_problem;
};

} // namespace spool::app
