#pragma once

#include <functional>
#include <sys/types.h>

#include <QByteArray>
#include <QString>
#include <QStringList>

namespace spool {

// A child process for process mode (spool-worker-host), started with posix_spawn. Not QProcess:
// Qt 6.4 starts children with a raw vfork-style clone (CLONE_VM) that ThreadSanitizer cannot
// follow, and TSan then reports false races in whatever the starting thread does next. glibc's
// posix_spawn is as cheap (it clones the same way) and TSan intercepts it. The child's stdout goes
// to this process's stderr, so a chatty plugin cannot mix into spoolctl's output, unless it is
// captured (`withOutput`: a pipe this process reads with readOutput).
// Optionally with a control channel on the child's stdin (a socket pair, so a write to a dead
// child fails instead of raising SIGPIPE). Used from one thread at a time; killed and reaped on
// destruction.
class WorkerProcess
{
public:
    WorkerProcess() = default;
    ~WorkerProcess();
    WorkerProcess(const WorkerProcess &) = delete;
    WorkerProcess &operator=(const WorkerProcess &) = delete;

    // False with the reason when the program could not be started.
    bool start(const QString &program, const QStringList &arguments, QString *error,
        bool withControl = false, bool withOutput = false);
    // Everything the child writes to its stdout until it closes it (normally: until it ends).
    // `stop` is polled about every 50 ms; when it says so, the child is killed and false returned.
    bool readOutput(QByteArray *output, const std::function<bool()> &stop);
    // Sends a line on the control channel; false when the child is gone.
    bool sendLine(const QByteArray &line);
    // Whether it still runs; reaps it once it has ended.
    bool running();
    // Waits up to `ms` for it to end; whether it has.
    bool waitForFinished(int ms);
    // SIGKILL, then reaps it (waiting up to 5 s).
    void kill();

    // After it has ended: killed by a signal (crashed, aborted, killed), or its exit code.
    bool crashed() const { return m_signal != 0; }
    int signal() const { return m_signal; }
    int exitCode() const { return m_exitCode; }
    pid_t pid() const { return m_pid; }

private:
    void closeControl();
    void closeOutput();
    pid_t m_pid = -1;
    int m_control = -1;
    int m_output = -1;
    bool m_ended = false;
    int m_signal = 0;
    int m_exitCode = 0;
};

} // namespace spool
