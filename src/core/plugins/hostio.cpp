#include "hostio.h"

#include <QEventLoop>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QTimer>

namespace spool::hostio {

QByteArray httpGet(const QUrl &url, const std::function<bool()> &stop, QString *error)
{
    QNetworkAccessManager manager;
    QNetworkRequest request(url);
    request.setAttribute(
        QNetworkRequest::RedirectPolicyAttribute, QNetworkRequest::NoLessSafeRedirectPolicy);
    request.setTransferTimeout(30000);
    QNetworkReply *reply = manager.get(request);
    QEventLoop loop;
    QTimer stopCheck;
    QObject::connect(reply, &QNetworkReply::finished, &loop, &QEventLoop::quit);
    QObject::connect(&stopCheck, &QTimer::timeout, &loop, [&] {
        if (stop && stop())
            reply->abort();
    });
    stopCheck.start(50);
    loop.exec();
    QByteArray body;
    if (reply->error() != QNetworkReply::NoError) {
        if (error)
            *error = reply->errorString();
    } else {
        body = reply->readAll();
    }
    delete reply;
    return body;
}

} // namespace spool::hostio
