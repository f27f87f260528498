#pragma once

#include <QSet>
#include <QSortFilterProxyModel>

#include "job/jobrecord.h"
#include "job/jobstate.h"

namespace spool::app {

class JobTableModel;

// Filters the job table by state, kind and a text, and sorts it by raw values (SortRole). A split
// job's row stays while it or one of its parts matches, and its open parts stay under it in
// either order.
class JobFilterProxy final : public QSortFilterProxyModel
{
    Q_OBJECT

public:
    explicit JobFilterProxy(JobTableModel *source, QObject *parent = nullptr);

    // Empty: every state.
    void setStates(const QSet<JobState> &states);
    // Empty: every kind.
    void setKind(const QString &kind);
    void setText(const QString &text);

protected:
    bool filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const override;
    bool lessThan(const QModelIndex &left, const QModelIndex &right) const override;

private:
    bool matches(
        JobState state, const QString &kind, const QString &name, const QString &output) const;

    JobTableModel *m_source;
    QSet<JobState> m_states;
    QString m_kind;
    QString m_text;
};

} // namespace spool::app
