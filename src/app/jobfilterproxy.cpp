#include "jobfilterproxy.h"

#include "jobtablemodel.h"

namespace spool::app {

JobFilterProxy::JobFilterProxy(JobTableModel *source, QObject *parent)
    : QSortFilterProxyModel(parent)
    , m_source(source)
{
    setSourceModel(source);
    setSortRole(JobTableModel::SortRole);
    setDynamicSortFilter(true);
    // A split job's row stays while one of its parts matches (a failed part under "Failed").
    setRecursiveFilteringEnabled(true);
}

void JobFilterProxy::setStates(const QSet<JobState> &states)
{
    m_states = states;
    invalidateRowsFilter();
}

void JobFilterProxy::setKind(const QString &kind)
{
    m_kind = kind;
    invalidateRowsFilter();
}

void JobFilterProxy::setText(const QString &text)
{
    m_text = text.trimmed();
    invalidateRowsFilter();
}

bool JobFilterProxy::filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const
{
    // Read the row directly: copying a record per row would cost 100,000 copies per filter.
    const QModelIndex index = m_source->index(sourceRow, JobTableModel::NameColumn, sourceParent);
    const JobRecord *record = m_source->record(index);
    if (!record)
        return false;
    if (!m_states.isEmpty() && !m_states.contains(record->state))
        return false;
    if (!m_kind.isEmpty() && record->kind != m_kind)
        return false;
    if (!m_text.isEmpty()) {
        // A part's short name ("part 2 of 3") is found by its render's name too.
        const QString name = m_source->data(index).toString();
        const bool found = name.contains(m_text, Qt::CaseInsensitive)
            || record->output.contains(m_text, Qt::CaseInsensitive)
            || (index.parent().isValid()
                && m_source->title(*record).contains(m_text, Qt::CaseInsensitive));
        if (!found)
            return false;
    }
    return true;
}

} // namespace spool::app
