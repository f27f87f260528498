#pragma once

#include <memory>

#include <QDialog>
#include <QFutureWatcher>
#include <QJsonObject>
#include <QStringList>
#include <QTimer>

#include "job/jobkindregistry.h"
#include "util/result.h"

namespace Ui {
class NewRenderDialog;
}

namespace spool::app {

// Asks for a render: a model file (or the built-in terrain), the PNG to write, size, samples and
// camera. Checks the input as it is typed with the queue's own rules and says what is wrong; the
// model's cameras are read off the GUI thread (a large file takes a while to open).
class NewRenderDialog final : public QDialog
{
    Q_OBJECT

public:
    NewRenderDialog(std::shared_ptr<const JobKindRegistry> registry, const QString &defaultDir,
        QWidget *parent = nullptr);
    ~NewRenderDialog() override;
    Q_DISABLE_COPY_MOVE(NewRenderDialog)

    void setScene(const QString &scene);
    void setOutput(const QString &path);
    void setSize(int width, int height);
    void setSamples(int samples);
    // Selects a camera by name once the model's cameras are known.
    void setCamera(const QString &name);
    // How many machines run the queue now (counted off the GUI thread): what "Auto" parts are.
    void setMachines(int machines);
    // The checked parameters (valid when the dialog was accepted).
    QJsonObject params() const { return m_params; }
    // Why OK is disabled; empty when the input is valid.
    QString problem() const { return m_problem; }
    // Whether the model's cameras are still being read.
    bool readingCameras() const { return m_reading || m_cameraDelay.isActive(); }

    // "NAME.png" in `dir`, or "NAME (1).png"… when that exists: a render never replaces a file.
    static QString freeOutputPath(const QString &dir, const QString &scene);

Q_SIGNALS:
    void camerasRead();

private:
    QJsonObject collect() const;
    void revalidate();
    void showSplitHint();
    void sceneEdited();
    void readCameras();
    void camerasArrived();

    Ui::NewRenderDialog *m_ui;
    std::shared_ptr<const JobKindRegistry> m_registry;
    QString m_defaultDir;
    bool m_outTouched = false; // the user chose the output: stop suggesting one
    QTimer m_cameraDelay; // reads the cameras once typing pauses
    QFutureWatcher<Result<QStringList>> m_cameraWatcher;
    bool m_reading = false;
    QString m_camerasOf; // the scene m_cameras belong to
    QString m_cameraError;
    QStringList m_cameras;
    QString m_wantedCamera;
    QJsonObject m_params;
    QString m_problem;
    int m_machines = 0; // 0: not counted yet
};

} // namespace spool::app
