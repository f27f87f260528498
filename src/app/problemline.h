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

// A hint says what is still needed (nothing typed yet): it is not the user's mistake, so it
// is not shown in the problem colour. An error is something entered that cannot work.
enum class ProblemKind { Hint, Error };

// Shows `problem` (empty: none) and enables OK only when there is none. The label's
// "problemKind" property says which kind is shown ("hint", "error" or empty).
void showProblem(QLabel *label, QDialogButtonBox *buttons, const QString &problem,
    ProblemKind kind = ProblemKind::Error);

} // namespace spool::app
