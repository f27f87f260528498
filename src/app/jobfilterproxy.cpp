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
    // Read from the row's roles: unpacking a record per row would cost 100,000 of them per filter.
    const QModelIndex name = m_source->index(sourceRow, JobTableModel::NameColumn);
    if (!name.isValid())
        return false;
    const auto state = JobState(name.data(JobTableModel::StateRole).toInt());
    const QString kind = name.data(JobTableModel::KindRole).toString();
    // The name and output only when there is text to find: each is decoded for the asking.
    const auto text = [&](int role) {
        return m_text.isEmpty() ? QString() : name.data(role).toString();
    };
    if (matches(state, kind, text(Qt::DisplayRole), text(JobTableModel::OutputRole)))
        return true;
    // A part's short name ("part 2 of 3") is found by its render's name too; a split job's row
    // by its parts'.
    QList<JobRecord> parts = m_source->partsOf(sourceRow);
    if (name.data(JobTableModel::PartRole).toBool()) {
        if (const auto part = m_source->record(sourceRow))
            parts.append(*part);
    }
    return std::any_of(parts.cbegin(), parts.cend(), [this](const JobRecord &part) {
        return matches(part.state, part.kind, m_source->title(part), part.output);
    });
}

bool JobFilterProxy::matches(
    JobState state, const QString &kind, const QString &name, const QString &output) const
{
    if (!m_states.isEmpty() && !m_states.contains(state))
        return false;
    if (!m_kind.isEmpty() && kind != m_kind)
        return false;
    return m_text.isEmpty() || name.contains(m_text, Qt::CaseInsensitive)
        || output.contains(m_text, Qt::CaseInsensitive);
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
