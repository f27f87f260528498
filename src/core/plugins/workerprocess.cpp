#include "workerprocess.h"

#include <cerrno>
#include <csignal>
#include <cstring>
#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>
#include <vector>

#include <QElapsedTimer>
#include <QFile>

extern char **environ;

namespace spool {

WorkerProcess::~WorkerProcess()
{
    kill();
    closeControl();
    closeOutput();
}

void WorkerProcess::closeOutput()
{
    if (m_output >= 0)
        ::close(m_output);
    m_output = -1;
}

bool WorkerProcess::readOutput(QByteArray *output, const std::function<bool()> &stop)
{
    char buffer[65536];
    while (m_output >= 0) {
        if (stop && stop()) {
            kill();
            closeOutput();
            return false;
        }
        pollfd ready { m_output, POLLIN, 0 };
        const int polled = ::poll(&ready, 1, 50);
        if (polled < 0 && errno != EINTR)
            break;
        if (polled <= 0)
            continue;
        const ssize_t n = ::read(m_output, buffer, sizeof buffer);
        if (n < 0 && (errno == EINTR || errno == EAGAIN))
            continue;
        if (n <= 0)
            break; // the child closed it (or the pipe failed: the answer will be short)
        output->append(buffer, qsizetype(n));
    }
    closeOutput();
    return true;
}

void WorkerProcess::closeControl()
{
    if (m_control >= 0)
        ::close(m_control);
    m_control = -1;
}

bool WorkerProcess::sendLine(const QByteArray &line)
{
    if (m_control < 0)
        return false;
    const QByteArray data = line + '\n';
    qsizetype sent = 0;
    while (sent < data.size()) {
        const ssize_t n =
            ::send(m_control, data.constData() + sent, size_t(data.size() - sent), MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return false;
        sent += n;
    }
    return true;
}

bool WorkerProcess::start(const QString &program, const QStringList &arguments, QString *error,
    bool withControl, bool withOutput)
{
    Q_ASSERT(m_pid < 0);
    int pair[2] = { -1, -1 };
    int out[2] = { -1, -1 };
    if ((withControl && ::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair) != 0)
        || (withOutput && ::pipe2(out, O_CLOEXEC) != 0)) {
        if (error)
            *error = QString::fromLocal8Bit(std::strerror(errno));
        for (const int fd : { pair[0], pair[1] })
            if (fd >= 0)
                ::close(fd);
        return false;
    }
    std::vector<QByteArray> words { QFile::encodeName(program) };
    for (const QString &argument : arguments)
        words.push_back(argument.toLocal8Bit());
    std::vector<char *> argv;
    for (QByteArray &word : words)
        argv.push_back(word.data());
    argv.push_back(nullptr);

    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    if (withOutput)
        posix_spawn_file_actions_adddup2(&actions, out[1], STDOUT_FILENO); // clears CLOEXEC
    else
        posix_spawn_file_actions_adddup2(&actions, STDERR_FILENO, STDOUT_FILENO);
    if (withControl)
        posix_spawn_file_actions_adddup2(&actions, pair[1], STDIN_FILENO); // clears CLOEXEC
    posix_spawnattr_t attributes;
    posix_spawnattr_init(&attributes);
    // The child starts with no blocked signals and SIGPIPE at its default, whatever this
    // process set for itself.
    sigset_t none, pipe;
    sigemptyset(&none);
    sigemptyset(&pipe);
    sigaddset(&pipe, SIGPIPE);
    posix_spawnattr_setsigmask(&attributes, &none);
    posix_spawnattr_setsigdefault(&attributes, &pipe);
    posix_spawnattr_setflags(&attributes, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
    pid_t pid = -1;
    const int rc = posix_spawn(&pid, argv.front(), &actions, &attributes, argv.data(), environ);
    posix_spawnattr_destroy(&attributes);
    posix_spawn_file_actions_destroy(&actions);
    if (withControl) {
        ::close(pair[1]);
        if (rc != 0)
            ::close(pair[0]);
        else
            m_control = pair[0];
    }
    if (withOutput) {
        ::close(out[1]);
        if (rc != 0)
            ::close(out[0]);
        else
            m_output = out[0];
    }
    if (rc != 0) {
        if (error)
            *error = QString::fromLocal8Bit(std::strerror(rc));
        return false;
    }
    m_pid = pid;
    m_ended = false;
    return true;
}

bool WorkerProcess::running()
{
    if (m_pid < 0 || m_ended)
        return false;
    int status = 0;
    pid_t reaped;
    do
        reaped = ::waitpid(m_pid, &status, WNOHANG);
    while (reaped < 0 && errno == EINTR);
    if (reaped == 0)
        return true;
    m_ended = true;
    if (reaped == m_pid) {
        if (WIFSIGNALED(status))
            m_signal = WTERMSIG(status);
        else if (WIFEXITED(status))
            m_exitCode = WEXITSTATUS(status);
    }
    return false;
}

bool WorkerProcess::waitForFinished(int ms)
{
    QElapsedTimer timer;
    timer.start();
    while (running()) {
        if (timer.elapsed() >= ms)
            return false;
        std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
    return true;
}

void WorkerProcess::kill()
{
    if (!running())
        return;
    ::kill(m_pid, SIGKILL);
    waitForFinished(5000);
}

} // namespace spool
