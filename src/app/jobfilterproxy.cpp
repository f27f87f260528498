#include "jobfilterproxy.h"

#include <algorithm>

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

bool JobFilterProxy::filterAcceptsRow(int sourceRow, const QModelIndex &) const
{
    // Read the row directly: copying a record per row would cost 100,000 copies per filter.
    const JobRecord *record = m_source->record(sourceRow);
    if (!record)
        return false;
    const QModelIndex name = m_source->index(sourceRow, JobTableModel::NameColumn);
    // A part's short name ("part 2 of 3") is found by its render's name too.
    if (matches(*record, name.data().toString())
        || (name.data(JobTableModel::PartRole).toBool()
            && matches(*record, m_source->title(*record))))
        return true;
    const QList<const JobRecord *> parts = m_source->partsOf(sourceRow);
    return std::any_of(parts.cbegin(), parts.cend(),
        [this](const JobRecord *part) { return matches(*part, m_source->title(*part)); });
}

bool JobFilterProxy::matches(const JobRecord &record, const QString &name) const
{
    if (!m_states.isEmpty() && !m_states.contains(record.state))
        return false;
    if (!m_kind.isEmpty() && record.kind != m_kind)
        return false;
    return m_text.isEmpty() || name.contains(m_text, Qt::CaseInsensitive)
        || record.output.contains(m_text, Qt::CaseInsensitive);
}

bool JobFilterProxy::lessThan(const QModelIndex &left, const QModelIndex &right) const
{
    const JobTableModel::Place a = m_source->placeOf(left.row());
    const JobTableModel::Place b = m_source->placeOf(right.row());
    const bool ascending = sortOrder() == Qt::AscendingOrder;
    if (a.top == b.top) // a split job's row, then its parts in their order, either way
        return ascending ? a.child < b.child : a.child > b.child;
    // A part sorts by its split job's row; rows of equal values keep the queue's order (so that
    // the order is total, and a part's place is found among equals too).
    const QModelIndex x = left.siblingAtRow(m_source->rowOfTop(a.top));
    const QModelIndex y = right.siblingAtRow(m_source->rowOfTop(b.top));
    if (QSortFilterProxyModel::lessThan(x, y))
        return true;
    if (QSortFilterProxyModel::lessThan(y, x))
        return false;
    return ascending ? a.top < b.top : a.top > b.top;
}

} // namespace spool::app
