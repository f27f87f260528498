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
    Q_UNUSED(sourceParent)
    // Read the row directly: copying a record per row would cost 100,000 copies per filter.
    const JobRecord *record = m_source->record(sourceRow);
    if (!record)
        return false;
    if (!m_states.isEmpty() && !m_states.contains(record->state))
        return false;
    if (!m_kind.isEmpty() && record->kind != m_kind)
        return false;
    if (!m_text.isEmpty()) {
        const QString name =
            m_source->data(m_source->index(sourceRow, JobTableModel::NameColumn)).toString();
        if (!name.contains(m_text, Qt::CaseInsensitive)
            && !record->output.contains(m_text, Qt::CaseInsensitive))
            return false;
    }
    return true;
}

} // namespace spool::app
