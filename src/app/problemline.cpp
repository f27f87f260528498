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

void showProblem(QLabel *label, QDialogButtonBox *buttons, const QString &problem)
{
    label->setText(problem);
    buttons->button(QDialogButtonBox::Ok)->setEnabled(problem.isEmpty());
}

} // namespace spool::app
