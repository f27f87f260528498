#pragma once

#include <memory>

#include <QDialog>
#include <QJsonObject>

#include "job/jobkindregistry.h"

namespace Ui {
class NewDownloadDialog;
}

namespace spool::app {

// Asks for a download. Checks the input as it is typed, with the same rules the queue applies,
// and says what is wrong; OK is only enabled for a job the queue will accept.
class NewDownloadDialog final : public QDialog
{
    Q_OBJECT

public:
    NewDownloadDialog(std::shared_ptr<const JobKindRegistry> registry, const QString &defaultDir,
        QWidget *parent = nullptr);
    ~NewDownloadDialog() override;
    Q_DISABLE_COPY_MOVE(NewDownloadDialog)

    void setUrl(const QString &url);
    // The checked parameters (valid when the dialog was accepted).
    QJsonObject params() const { return m_params; }
    // Why OK is disabled; empty when the input is valid.
    QString problem() const { return m_problem; }

private:
    QJsonObject collect() const;
    void revalidate();

    Ui::NewDownloadDialog *m_ui;
    std::shared_ptr<const JobKindRegistry> m_registry;
    QJsonObject m_params;
    QString m_problem;
};

} // namespace spool::app
