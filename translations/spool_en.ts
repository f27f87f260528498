<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="en_US">
<context>
    <name>spool::app::MainWindow</name>
    <message numerus="yes">
        <source>%n plugin(s) refused: see Help → Plugins.</source>
        <translation>
            <numerusform>%n plugin refused: see Help → Plugins.</numerusform>
            <numerusform>%n plugins refused: see Help → Plugins.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Remove %n succeeded job(s) from the list?</source>
        <translation>
            <numerusform>Remove %n succeeded job from the list?</numerusform>
            <numerusform>Remove %n succeeded jobs from the list?</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Queued %n download(s)</source>
        <translation>
            <numerusform>Queued %n download</numerusform>
            <numerusform>Queued %n downloads</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n render(s).</source>
        <translation>
            <numerusform>%n render.</numerusform>
            <numerusform>%n renders.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Queued %n download(s).</source>
        <translation>
            <numerusform>Queued %n download.</numerusform>
            <numerusform>Queued %n downloads.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Queued %n render(s).</source>
        <translation>
            <numerusform>Queued %n render.</numerusform>
            <numerusform>Queued %n renders.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n job(s) are running.</source>
        <translation>
            <numerusform>%n job is running.</numerusform>
            <numerusform>%n jobs are running.</numerusform>
        </translation>
    </message>
</context>
</TS>
