#include "newdownloaddialog.h"

#include <QFileDialog>
#include <QJsonArray>

#include "problemline.h"
#include "ui_newdownloaddialog.h"

namespace spool::app {

NewDownloadDialog::NewDownloadDialog(
    std::shared_ptr<const JobKindRegistry> registry, const QString &defaultDir, QWidget *parent)
    : QDialog(parent)
    , m_ui(new Ui::NewDownloadDialog)
    , m_registry(std::move(registry))
{
    m_ui->setupUi(this);
    m_ui->dirEdit->setText(defaultDir);
    m_ui->pagesFieldEdit->setEnabled(false);
    connect(m_ui->browseButton, &QToolButton::clicked, this, [this] {
        const QString dir =
            QFileDialog::getExistingDirectory(this, tr("Save Downloads In"), m_ui->dirEdit->text());
        if (!dir.isEmpty())
            m_ui->dirEdit->setText(dir);
    });
    connect(m_ui->pagesCombo, &QComboBox::currentIndexChanged, this, [this](int index) {
        m_ui->pagesFieldEdit->setEnabled(index == 2);
        revalidate();
    });
    for (QLineEdit *edit :
        { m_ui->urlEdit, m_ui->dirEdit, m_ui->nameEdit, m_ui->shaEdit, m_ui->pagesFieldEdit })
        connect(edit, &QLineEdit::textChanged, this, &NewDownloadDialog::revalidate);
    connect(m_ui->headersEdit, &QPlainTextEdit::textChanged, this, &NewDownloadDialog::revalidate);
    connect(m_ui->bodyEdit, &QPlainTextEdit::textChanged, this, &NewDownloadDialog::revalidate);
    connect(
        m_ui->methodCombo, &QComboBox::currentIndexChanged, this, &NewDownloadDialog::revalidate);
    revalidate();
}

NewDownloadDialog::~NewDownloadDialog()
{
    delete m_ui;
}

void NewDownloadDialog::setUrl(const QString &url)
{
    m_ui->urlEdit->setText(url);
}

QJsonObject NewDownloadDialog::collect() const
{
    QJsonObject p { { QStringLiteral("url"), m_ui->urlEdit->text().trimmed() } };
    const auto put = [&p](const char *key, const QString &value) {
        if (!value.trimmed().isEmpty())
            p.insert(QString::fromLatin1(key), value.trimmed());
    };
    put("dir", m_ui->dirEdit->text());
    put("name", m_ui->nameEdit->text());
    put("sha256", m_ui->shaEdit->text());
    if (m_ui->methodCombo->currentText() != QLatin1String("GET"))
        put("method", m_ui->methodCombo->currentText());
    put("data", m_ui->bodyEdit->toPlainText());
    QJsonArray headers;
    for (const QString &line :
        m_ui->headersEdit->toPlainText().split(QLatin1Char('\n'), Qt::SkipEmptyParts)) {
        if (!line.trimmed().isEmpty())
            headers.append(line.trimmed());
    }
    if (!headers.isEmpty())
        p.insert(QStringLiteral("header"), headers);
    if (m_ui->pagesCombo->currentIndex() == 1)
        p.insert(QStringLiteral("paginate"), QStringLiteral("link"));
    else if (m_ui->pagesCombo->currentIndex() == 2)
        p.insert(QStringLiteral("paginate"),
            QStringLiteral("json:") + m_ui->pagesFieldEdit->text().trimmed());
    return p;
}

void NewDownloadDialog::revalidate()
{
    m_params = QJsonObject();
    ProblemKind kind = ProblemKind::Error;
    if (m_ui->urlEdit->text().trimmed().isEmpty()) {
        m_problem = tr("Enter the address to download.");
        kind = ProblemKind::Hint;
    } else {
        auto checked = m_registry->validate(QStringLiteral("download"), collect());
        m_problem = checked ? QString() : checked.error().message;
        if (checked)
            m_params = checked.value();
    }
    showProblem(m_ui->problemLabel, m_ui->buttonBox, m_problem, kind);
}

} // namespace spool::app
