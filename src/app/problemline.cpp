#include "problemline.h"

#include <QDialogButtonBox>
#include <QLabel>
#include <QPushButton>

namespace spool::app {

QColor problemColor()
{
    return QColor(0xc6, 0x28, 0x28);
}

void styleProblemLine(QLabel *label)
{
    label->setStyleSheet(QStringLiteral("color: %1;").arg(problemColor().name()));
}

void showProblem(QLabel *label, QDialogButtonBox *buttons, const QString &problem, ProblemKind kind)
{
    const bool error = !problem.isEmpty() && kind == ProblemKind::Error;
    if (error)
        styleProblemLine(label);
    else
        label->setStyleSheet(QString());
    label->setProperty("problemKind",
        problem.isEmpty() ? QString() : QString::fromLatin1(error ? "error" : "hint"));
    label->setText(problem);
    buttons->button(QDialogButtonBox::Ok)->setEnabled(problem.isEmpty());
}

} // namespace spool::app
