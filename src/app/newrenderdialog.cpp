#include "newrenderdialog.h"

#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QPushButton>
#include <QtConcurrent/QtConcurrentRun>

#include "backgroundpool.h"
#include "problemline.h"
#include "scene.h"
#include "ui_newrenderdialog.h"

namespace spool::app {

namespace {
constexpr int kCameraDelayMs = 300;
const QString kAuto = QStringLiteral("auto");
} // namespace

NewRenderDialog::NewRenderDialog(
    std::shared_ptr<const JobKindRegistry> registry, const QString &defaultDir, QWidget *parent)
    : QDialog(parent)
    , m_ui(new Ui::NewRenderDialog)
    , m_registry(std::move(registry))
    , m_defaultDir(defaultDir)
{
    m_ui->setupUi(this);
    m_ui->cameraCombo->addItem(tr("Frame the whole model"), kAuto);
    m_cameraDelay.setSingleShot(true);
    m_cameraDelay.setInterval(kCameraDelayMs);
    connect(&m_cameraDelay, &QTimer::timeout, this, &NewRenderDialog::readCameras);
    connect(
        &m_cameraWatcher, &QFutureWatcherBase::finished, this, &NewRenderDialog::camerasArrived);

    connect(m_ui->sceneBrowseButton, &QToolButton::clicked, this, [this] {
        const QString start = m_ui->sceneEdit->text().isEmpty()
            ? QDir::homePath()
            : QFileInfo(m_ui->sceneEdit->text()).absolutePath();
        const QString file = QFileDialog::getOpenFileName(this, tr("Render Model"), start,
            tr("3D models (*.obj *.ply *.stl *.gltf *.glb *.fbx *.off *.dae *.3ds *.blend);;"
               "All files (*)"));
        if (!file.isEmpty())
            m_ui->sceneEdit->setText(file);
    });
    connect(m_ui->terrainButton, &QPushButton::clicked, this,
        [this] { m_ui->sceneEdit->setText(render::kProceduralTerrain); });
    connect(m_ui->outBrowseButton, &QToolButton::clicked, this, [this] {
        // The queue refuses an existing file; the dialog's own overwrite question would mislead.
        const QString file =
            QFileDialog::getSaveFileName(this, tr("Save Render As"), m_ui->outEdit->text(),
                tr("PNG images (*.png)"), nullptr, QFileDialog::DontConfirmOverwrite);
        if (!file.isEmpty()) {
            m_outTouched = true;
            m_ui->outEdit->setText(file);
        }
    });
    connect(m_ui->sceneEdit, &QLineEdit::textChanged, this, &NewRenderDialog::sceneEdited);
    connect(m_ui->outEdit, &QLineEdit::textEdited, this, [this] { m_outTouched = true; });
    connect(m_ui->outEdit, &QLineEdit::textChanged, this, &NewRenderDialog::revalidate);
    for (QSpinBox *spin : { m_ui->widthSpin, m_ui->heightSpin, m_ui->samplesSpin, m_ui->splitSpin })
        connect(spin, &QSpinBox::valueChanged, this, &NewRenderDialog::revalidate);
    connect(m_ui->splitSpin, &QSpinBox::valueChanged, this, &NewRenderDialog::showSplitHint);
    connect(m_ui->cameraCombo, &QComboBox::currentIndexChanged, this, &NewRenderDialog::revalidate);
    connect(m_ui->depthCombo, &QComboBox::currentIndexChanged, this, &NewRenderDialog::revalidate);
    revalidate();
}

NewRenderDialog::~NewRenderDialog()
{
    // A camera read still running finishes on the pool; nothing waits for it here.
    m_cameraWatcher.disconnect(this);
    delete m_ui;
}

void NewRenderDialog::setScene(const QString &scene)
{
    m_ui->sceneEdit->setText(scene);
}

void NewRenderDialog::setOutput(const QString &path)
{
    m_outTouched = true;
    m_ui->outEdit->setText(path);
    revalidate(); // the same name may now be taken
}

void NewRenderDialog::setSize(int width, int height)
{
    m_ui->widthSpin->setValue(width);
    m_ui->heightSpin->setValue(height);
}

void NewRenderDialog::setSamples(int samples)
{
    m_ui->samplesSpin->setValue(samples);
}

void NewRenderDialog::setCamera(const QString &name)
{
    m_wantedCamera = name;
    const int index = m_ui->cameraCombo->findData(name);
    if (index >= 0)
        m_ui->cameraCombo->setCurrentIndex(index);
}

QString NewRenderDialog::freeOutputPath(const QString &dir, const QString &scene)
{
    QString base = render::isProcedural(scene) ? scene.section(QLatin1Char(':'), 1)
                                               : QFileInfo(scene).completeBaseName();
    if (base.isEmpty())
        base = QStringLiteral("render");
    const QDir folder(dir);
    QString path = folder.filePath(base + QStringLiteral(".png"));
    for (int n = 1; QFileInfo::exists(path); ++n)
        path = folder.filePath(QStringLiteral("%1 (%2).png").arg(base).arg(n));
    return path;
}

void NewRenderDialog::sceneEdited()
{
    const QString scene = m_ui->sceneEdit->text().trimmed();
    if (!m_outTouched && !scene.isEmpty())
        m_ui->outEdit->setText(freeOutputPath(m_defaultDir, scene));
    m_cameraError.clear();
    m_cameraDelay.start();
    revalidate();
}

void NewRenderDialog::readCameras()
{
    const QString scene = m_ui->sceneEdit->text().trimmed();
    if (m_reading)
        return; // camerasArrived() reads again if the scene changed meanwhile
    const bool readable = render::isProcedural(scene)
        || (QFileInfo(scene).isFile() && render::isSupportedModel(scene));
    if (!readable) {
        m_camerasOf = scene;
        m_cameras.clear();
        camerasArrived();
        return;
    }
    m_camerasOf = scene;
    m_reading = true;
    m_cameraWatcher.setFuture(
        QtConcurrent::run(backgroundPool(), [scene] { return render::cameraNames(scene); }));
    revalidate();
}

void NewRenderDialog::camerasArrived()
{
    if (m_reading && m_cameraWatcher.isFinished()) {
        m_reading = false;
        const Result<QStringList> names = m_cameraWatcher.result();
        m_cameras = names.ok() ? names.value() : QStringList();
        m_cameraError = names.ok() ? QString() : names.error().message;
    }
    if (m_camerasOf != m_ui->sceneEdit->text().trimmed()) {
        readCameras(); // typed on while the last file was read
        return;
    }
    const QString selected =
        m_wantedCamera.isEmpty() ? m_ui->cameraCombo->currentData().toString() : m_wantedCamera;
    {
        const QSignalBlocker quiet(m_ui->cameraCombo);
        m_ui->cameraCombo->clear();
        m_ui->cameraCombo->addItem(tr("Frame the whole model"), kAuto);
        for (const QString &name : std::as_const(m_cameras))
            m_ui->cameraCombo->addItem(tr("Camera “%1”").arg(name), name);
        const int index = m_ui->cameraCombo->findData(selected);
        m_ui->cameraCombo->setCurrentIndex(qMax(0, index));
    }
    revalidate();
    Q_EMIT camerasRead();
}

QJsonObject NewRenderDialog::collect() const
{
    QJsonObject p { { QStringLiteral("scene"), m_ui->sceneEdit->text().trimmed() },
        { QStringLiteral("out"), m_ui->outEdit->text().trimmed() },
        { QStringLiteral("width"), m_ui->widthSpin->value() },
        { QStringLiteral("height"), m_ui->heightSpin->value() },
        { QStringLiteral("samples"), m_ui->samplesSpin->value() } };
    const QString camera = m_ui->cameraCombo->currentData().toString();
    if (!camera.isEmpty() && camera != kAuto)
        p.insert(QStringLiteral("camera"), camera);
    if (m_ui->depthCombo->currentIndex() == 1)
        p.insert(QStringLiteral("depth"), 16);
    // Auto: a part per machine, and never more parts than samples (each renders some).
    const int parts = m_ui->splitSpin->value() == 0
        ? qBound(1, m_machines, m_ui->samplesSpin->value())
        : m_ui->splitSpin->value();
    if (parts > 1)
        p.insert(QStringLiteral("split"), parts);
    return p;
}

void NewRenderDialog::setMachines(int machines)
{
    m_machines = qBound(1, machines, m_ui->splitSpin->maximum());
    showSplitHint();
    revalidate();
}

void NewRenderDialog::showSplitHint()
{
    m_ui->splitHint->setText(m_ui->splitSpin->value() == 0
            ? (m_machines == 0
                    ? tr("one part per machine that runs the queue (counting…)")
                    : tr("one part per machine that runs the queue: %1 now").arg(m_machines))
            : tr("parts, for several machines of a shared queue"));
}

void NewRenderDialog::revalidate()
{
    m_params = QJsonObject();
    const QString scene = m_ui->sceneEdit->text().trimmed();
    ProblemKind kind = ProblemKind::Hint;
    if (scene.isEmpty()) {
        m_problem = tr("Choose a model file, or the built-in terrain.");
    } else if (m_ui->outEdit->text().trimmed().isEmpty()) {
        m_problem = tr("Choose where to save the picture.");
    } else {
        kind = ProblemKind::Error;
        auto checked = m_registry->validate(QStringLiteral("render"), collect());
        m_problem = checked ? QString() : checked.error().message;
        if (checked && !m_cameraError.isEmpty() && m_camerasOf == scene)
            m_problem = tr("This model cannot be read: %1").arg(m_cameraError);
        if (checked && m_problem.isEmpty() && m_ui->splitSpin->value() == 0 && m_machines == 0) {
            kind = ProblemKind::Hint;
            m_problem = tr("Counting the machines that run the queue…");
        }
        if (m_problem.isEmpty())
            m_params = checked.value();
    }
    showProblem(m_ui->problemLabel, m_ui->buttonBox, m_problem, kind);
}

} // namespace spool::app
