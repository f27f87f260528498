#pragma once

#include <QColor>
#include <QString>

class QDialogButtonBox;
class QLabel;

namespace spool::app {

// The colour of a problem the user must fix: readable on light and dark palettes.
QColor problemColor();
// Gives a dialog's problem line that colour.
void styleProblemLine(QLabel *label);
// Shows `problem` (empty: none) and enables OK only when there is none.
void showProblem(QLabel *label, QDialogButtonBox *buttons, const QString &problem);

} // namespace spool::app
