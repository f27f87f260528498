<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="de_DE">
<context>
    <name>QueueOpener</name>
    <message>
        <location filename="../src/app/queueopener.cpp" line="27"/>
        <source>Opening the queue in %1…</source>
        <translation>Die Warteschlange in %1 wird geöffnet…</translation>
    </message>
    <message>
        <location filename="../src/app/queueopener.cpp" line="28"/>
        <source>Connecting to the shared queue %1…</source>
        <translation>Verbindung zur gemeinsamen Warteschlange %1…</translation>
    </message>
    <message>
        <location filename="../src/app/queueopener.cpp" line="31"/>
        <source>Quit</source>
        <translation>Beenden</translation>
    </message>
</context>
<context>
    <name>JobDetailsPanel</name>
    <message>
        <location filename="../ui/jobdetailspanel.ui" line="31"/>
        <source>Kind:</source>
        <translation>Art:</translation>
    </message>
    <message>
        <location filename="../ui/jobdetailspanel.ui" line="48"/>
        <source>Id:</source>
        <translation>Kennung:</translation>
    </message>
    <message>
        <location filename="../ui/jobdetailspanel.ui" line="68"/>
        <source>Parameters:</source>
        <translation>Parameter:</translation>
    </message>
    <message>
        <location filename="../ui/jobdetailspanel.ui" line="88"/>
        <source>Times:</source>
        <translation>Zeiten:</translation>
    </message>
    <message>
        <location filename="../ui/jobdetailspanel.ui" line="105"/>
        <source>Output:</source>
        <translation>Ergebnis:</translation>
    </message>
    <message>
        <location filename="../ui/jobdetailspanel.ui" line="125"/>
        <source>Error:</source>
        <translation>Fehler:</translation>
    </message>
    <message>
        <location filename="../ui/jobdetailspanel.ui" line="147"/>
        <source>Transfer</source>
        <translation>Übertragung</translation>
    </message>
    <message>
        <location filename="../ui/jobdetailspanel.ui" line="155"/>
        <source>Received:</source>
        <translation>Empfangen:</translation>
    </message>
    <message>
        <location filename="../ui/jobdetailspanel.ui" line="172"/>
        <source>Speed:</source>
        <translation>Geschwindigkeit:</translation>
    </message>
    <message>
        <location filename="../ui/jobdetailspanel.ui" line="189"/>
        <source>Server:</source>
        <translation>Server:</translation>
    </message>
    <message>
        <location filename="../ui/jobdetailspanel.ui" line="206"/>
        <source>Attempt:</source>
        <translation>Versuch:</translation>
    </message>
    <message>
        <location filename="../ui/jobdetailspanel.ui" line="240"/>
        <source>Preview</source>
        <translation>Vorschau</translation>
    </message>
    <message>
        <location filename="../ui/jobdetailspanel.ui" line="275"/>
        <source>Time</source>
        <translation>Zeit</translation>
    </message>
    <message>
        <location filename="../ui/jobdetailspanel.ui" line="280"/>
        <source>#</source>
        <translation>#</translation>
    </message>
    <message>
        <location filename="../ui/jobdetailspanel.ui" line="285"/>
        <source>Event</source>
        <translation>Ereignis</translation>
    </message>
    <message>
        <location filename="../ui/jobdetailspanel.ui" line="290"/>
        <source>Detail</source>
        <translation>Einzelheiten</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <location filename="../ui/mainwindow.ui" line="14"/>
        <source>Spool</source>
        <translation>Spool</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.ui" line="38"/>
        <source>&amp;Show:</source>
        <translation>&amp;Zeigen:</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.ui" line="54"/>
        <source>Filter by name</source>
        <translation>Nach Namen filtern</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.ui" line="109"/>
        <source>&amp;File</source>
        <translation>&amp;Datei</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.ui" line="121"/>
        <source>&amp;Job</source>
        <translation>&amp;Auftrag</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.ui" line="134"/>
        <source>&amp;Queue</source>
        <translation>&amp;Warteschlange</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.ui" line="143"/>
        <source>&amp;View</source>
        <translation>&amp;Ansicht</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.ui" line="149"/>
        <source>&amp;Help</source>
        <translation>&amp;Hilfe</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.ui" line="162"/>
        <source>Toolbar</source>
        <translation>Werkzeugleiste</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.ui" line="198"/>
        <source>&amp;New Download…</source>
        <translation>&amp;Neuer Download …</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.ui" line="201"/>
        <source>New Download…</source>
        <translation>Download…</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.ui" line="204"/>
        <source>Queue a download</source>
        <translation>Einen Download einreihen</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.ui" line="216"/>
        <source>New &amp;Render…</source>
        <translation>Neues &amp;Rendering…</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.ui" line="219"/>
        <source>New Render…</source>
        <translation>Rendern…</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.ui" line="222"/>
        <source>Queue a render of a 3D model</source>
        <translation>Ein 3D-Modell rendern lassen</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.ui" line="230"/>
        <source>New &amp;Plugin Job…</source>
        <translation>Neuer &amp;Plugin-Auftrag…</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.ui" line="233"/>
        <source>Queue a job of a kind a plugin provides</source>
        <translation>Einen Auftrag einer Plugin-Art einreihen</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.ui" line="238"/>
        <source>&amp;Plugins…</source>
        <translation>&amp;Plugins…</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.ui" line="241"/>
        <source>Plugins found, refused, and how legacy ones shared the GIL</source>
        <translation>Gefundene und abgelehnte Plugins, und wie sich Legacy-Plugins die GIL teilten</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.ui" line="250"/>
        <source>&amp;Settings…</source>
        <translation>&amp;Einstellungen …</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.ui" line="253"/>
        <source>Workers, priority, limits, notifications</source>
        <translation>Parallele Aufträge, Priorität, Grenzen, Benachrichtigungen</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.ui" line="261"/>
        <source>&amp;Quit</source>
        <translation>&amp;Beenden</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.ui" line="264"/>
        <source>Quit Spool</source>
        <translation>Spool beenden</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.ui" line="276"/>
        <source>&amp;Pause</source>
        <translation>&amp;Anhalten</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.ui" line="279"/>
        <source>Pause the selected jobs</source>
        <translation>Die gewählten Aufträge anhalten</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.ui" line="291"/>
        <source>&amp;Resume</source>
        <translation>&amp;Fortsetzen</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.ui" line="294"/>
        <source>Resume the selected jobs</source>
        <translation>Die gewählten Aufträge fortsetzen</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.ui" line="306"/>
        <source>&amp;Cancel</source>
        <translation>A&amp;bbrechen</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.ui" line="309"/>
        <source>Cancel the selected jobs</source>
        <translation>Die gewählten Aufträge abbrechen</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.ui" line="321"/>
        <source>Re&amp;try</source>
        <translation>&amp;Wiederholen</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.ui" line="324"/>
        <source>Run the selected failed or canceled jobs again</source>
        <translation>Die gewählten fehlgeschlagenen oder abgebrochenen Aufträge erneut ausführen</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.ui" line="336"/>
        <source>Re&amp;move</source>
        <translation>&amp;Entfernen</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.ui" line="339"/>
        <source>Remove the selected jobs from the list</source>
        <translation>Die gewählten Aufträge aus der Liste entfernen</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.ui" line="351"/>
        <source>&amp;Open Output</source>
        <translation>Ergebnis ö&amp;ffnen</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.ui" line="354"/>
        <source>Open Output</source>
        <translation>Öffnen</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.ui" line="357"/>
        <source>Open the job&apos;s result</source>
        <translation>Das Ergebnis des Auftrags öffnen</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.ui" line="369"/>
        <source>Open &amp;Containing Folder</source>
        <translation>Enthaltenden &amp;Ordner öffnen</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.ui" line="372"/>
        <source>Show in Folder</source>
        <translation>Ordner</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.ui" line="375"/>
        <source>Show the job&apos;s result in its folder</source>
        <translation>Das Ergebnis in seinem Ordner zeigen</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.ui" line="387"/>
        <source>Pause &amp;Queue</source>
        <translation>Warteschlange an&amp;halten</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.ui" line="390"/>
        <source>Pause Queue</source>
        <translation>Alle anhalten</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.ui" line="393"/>
        <source>Start nothing new and send running jobs back to the queue</source>
        <translation>Nichts Neues starten und laufende Aufträge in die Warteschlange zurückstellen</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.ui" line="405"/>
        <source>Resume Q&amp;ueue</source>
        <translation>Warteschlange &amp;fortsetzen</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.ui" line="408"/>
        <source>Resume Queue</source>
        <translation>Alle fortsetzen</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.ui" line="411"/>
        <source>Let the queue run again</source>
        <translation>Die Warteschlange wieder laufen lassen</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.ui" line="423"/>
        <source>C&amp;lear Finished</source>
        <translation>&amp;Fertige entfernen</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.ui" line="426"/>
        <source>Clear Finished</source>
        <translation>Aufräumen</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.ui" line="429"/>
        <source>Remove the jobs that succeeded; failed and canceled ones only if you say so</source>
        <translation>Erfolgreiche Aufträge entfernen; fehlgeschlagene und abgebrochene nur auf Wunsch</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.ui" line="443"/>
        <source>&amp;Details</source>
        <translation>&amp;Einzelheiten</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.ui" line="446"/>
        <source>Show the details of the current job</source>
        <translation>Einzelheiten des aktuellen Auftrags zeigen</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.ui" line="454"/>
        <source>&amp;About Spool</source>
        <translation>Ü&amp;ber Spool</translation>
    </message>
</context>
<context>
    <name>NewDownloadDialog</name>
    <message>
        <location filename="../ui/newdownloaddialog.ui" line="14"/>
        <source>New Download</source>
        <translation>Neuer Download</translation>
    </message>
    <message>
        <location filename="../ui/newdownloaddialog.ui" line="22"/>
        <source>&amp;URL:</source>
        <translation>&amp;Adresse:</translation>
    </message>
    <message>
        <location filename="../ui/newdownloaddialog.ui" line="39"/>
        <source>Save &amp;in:</source>
        <translation>S&amp;peichern in:</translation>
    </message>
    <message>
        <location filename="../ui/newdownloaddialog.ui" line="63"/>
        <source>File &amp;name:</source>
        <translation>Datei&amp;name:</translation>
    </message>
    <message>
        <location filename="../ui/newdownloaddialog.ui" line="73"/>
        <source>as the server names it</source>
        <translation>wie der Server ihn nennt</translation>
    </message>
    <message>
        <location filename="../ui/newdownloaddialog.ui" line="80"/>
        <source>SHA-&amp;256:</source>
        <translation>SHA-&amp;256:</translation>
    </message>
    <message>
        <location filename="../ui/newdownloaddialog.ui" line="90"/>
        <source>optional: verify the file</source>
        <translation>optional: die Datei prüfen</translation>
    </message>
    <message>
        <location filename="../ui/newdownloaddialog.ui" line="97"/>
        <source>&amp;Method:</source>
        <translation>&amp;Methode:</translation>
    </message>
    <message>
        <location filename="../ui/newdownloaddialog.ui" line="136"/>
        <source>&amp;Headers:</source>
        <translation>&amp;Kopfzeilen:</translation>
    </message>
    <message>
        <location filename="../ui/newdownloaddialog.ui" line="146"/>
        <source>Name: value, one per line (credentials go to the keychain)</source>
        <translation>Name: Wert, eine pro Zeile (Zugangsdaten kommen in den Schlüsselbund)</translation>
    </message>
    <message>
        <location filename="../ui/newdownloaddialog.ui" line="159"/>
        <source>&amp;Body:</source>
        <translation>&amp;Inhalt:</translation>
    </message>
    <message>
        <location filename="../ui/newdownloaddialog.ui" line="179"/>
        <source>&amp;Pages:</source>
        <translation>&amp;Seiten:</translation>
    </message>
    <message>
        <location filename="../ui/newdownloaddialog.ui" line="192"/>
        <source>One response</source>
        <translation>Eine Antwort</translation>
    </message>
    <message>
        <location filename="../ui/newdownloaddialog.ui" line="197"/>
        <source>Follow Link: rel=&quot;next&quot;</source>
        <translation>Link: rel=&quot;next&quot; folgen</translation>
    </message>
    <message>
        <location filename="../ui/newdownloaddialog.ui" line="202"/>
        <source>Follow a JSON field</source>
        <translation>Einem JSON-Feld folgen</translation>
    </message>
</context>
<context>
    <name>NewPluginJobDialog</name>
    <message>
        <location filename="../ui/newpluginjobdialog.ui" line="14"/>
        <source>New Plugin Job</source>
        <translation>Neuer Plugin-Auftrag</translation>
    </message>
    <message>
        <location filename="../ui/newpluginjobdialog.ui" line="22"/>
        <source>&amp;Kind:</source>
        <translation>&amp;Art:</translation>
    </message>
    <message>
        <location filename="../ui/newpluginjobdialog.ui" line="51"/>
        <source>Parameter</source>
        <translation>Parameter</translation>
    </message>
    <message>
        <location filename="../ui/newpluginjobdialog.ui" line="56"/>
        <source>Value</source>
        <translation>Wert</translation>
    </message>
    <message>
        <location filename="../ui/newpluginjobdialog.ui" line="61"/>
        <source>Description</source>
        <translation>Beschreibung</translation>
    </message>
</context>
<context>
    <name>NewRenderDialog</name>
    <message>
        <location filename="../ui/newrenderdialog.ui" line="14"/>
        <source>New Render</source>
        <translation>Neues Rendering</translation>
    </message>
    <message>
        <location filename="../ui/newrenderdialog.ui" line="22"/>
        <source>&amp;Model:</source>
        <translation>&amp;Modell:</translation>
    </message>
    <message>
        <location filename="../ui/newrenderdialog.ui" line="34"/>
        <source>A model file (OBJ, PLY, STL, glTF, GLB, FBX, OFF…)</source>
        <translation>Eine Modelldatei (OBJ, PLY, STL, glTF, GLB, FBX, OFF…)</translation>
    </message>
    <message>
        <location filename="../ui/newrenderdialog.ui" line="48"/>
        <source>Built-in &amp;Terrain</source>
        <translation>Eingebautes &amp;Gelände</translation>
    </message>
    <message>
        <location filename="../ui/newrenderdialog.ui" line="51"/>
        <source>A procedural landscape of about a million triangles</source>
        <translation>Eine prozedurale Landschaft aus etwa einer Million Dreiecken</translation>
    </message>
    <message>
        <location filename="../ui/newrenderdialog.ui" line="60"/>
        <source>&amp;Save as:</source>
        <translation>&amp;Speichern als:</translation>
    </message>
    <message>
        <location filename="../ui/newrenderdialog.ui" line="84"/>
        <source>Si&amp;ze:</source>
        <translation>G&amp;röße:</translation>
    </message>
    <message>
        <location filename="../ui/newrenderdialog.ui" line="129"/>
        <source>pixels</source>
        <translation>Pixel</translation>
    </message>
    <message>
        <location filename="../ui/newrenderdialog.ui" line="145"/>
        <source>Sam&amp;ples per pixel:</source>
        <translation>Sam&amp;ples pro Pixel:</translation>
    </message>
    <message>
        <location filename="../ui/newrenderdialog.ui" line="170"/>
        <source>more is smoother and slower</source>
        <translation>mehr ist glatter und langsamer</translation>
    </message>
    <message>
        <location filename="../ui/newrenderdialog.ui" line="186"/>
        <source>&amp;Camera:</source>
        <translation>&amp;Kamera:</translation>
    </message>
    <message>
        <location filename="../ui/newrenderdialog.ui" line="196"/>
        <source>The model&apos;s own cameras, or one that frames the whole model</source>
        <translation>Die Kameras des Modells oder eine, die das ganze Modell zeigt</translation>
    </message>
    <message>
        <location filename="../ui/newrenderdialog.ui" line="203"/>
        <source>Colour &amp;depth:</source>
        <translation>&amp;Farbtiefe:</translation>
    </message>
    <message>
        <location filename="../ui/newrenderdialog.ui" line="214"/>
        <source>8 bits per channel</source>
        <translation>8 Bit pro Kanal</translation>
    </message>
    <message>
        <location filename="../ui/newrenderdialog.ui" line="219"/>
        <source>16 bits per channel</source>
        <translation>16 Bit pro Kanal</translation>
    </message>
    <message>
        <location filename="../ui/newrenderdialog.ui" line="217"/>
        <source>Split i&amp;nto:</source>
        <translation>&amp;Aufteilen in:</translation>
    </message>
    <message>
        <location filename="../ui/newrenderdialog.ui" line="225"/>
        <source>Each part renders some of the samples as a job of its own, on this computer's workers or on every machine of a shared queue; the last part to finish merges them into the picture. Auto: one part per machine that runs the queue now</source>
        <translation>Jeder Teil rendert einen Teil der Samples als eigener Auftrag, auf den Workern dieses Computers oder auf jedem Rechner einer gemeinsamen Warteschlange; der zuletzt fertige Teil fügt sie zum Bild zusammen. Automatisch: ein Teil je Rechner, der die Warteschlange gerade abarbeitet</translation>
    </message>
    <message>
        <location filename="../ui/newrenderdialog.ui" line="239"/>
        <source>parts, for several machines of a shared queue</source>
        <translation>Teile, für mehrere Rechner einer gemeinsamen Warteschlange</translation>
    </message>
    <message>
        <location filename="../ui/newrenderdialog.ui" line="242"/>
        <source>Auto</source>
        <translation>Automatisch</translation>
    </message>
</context>
<context>
    <name>PluginsDialog</name>
    <message>
        <location filename="../ui/pluginsdialog.ui" line="14"/>
        <source>Plugins</source>
        <translation>Plugins</translation>
    </message>
    <message>
        <location filename="../ui/pluginsdialog.ui" line="20"/>
        <source>Plugins found in the application&apos;s and your plugin folders:</source>
        <translation>Plugins im Plugin-Ordner der Anwendung und in Ihrem:</translation>
    </message>
    <message>
        <location filename="../ui/pluginsdialog.ui" line="37"/>
        <location filename="../ui/pluginsdialog.ui" line="87"/>
        <source>Plugin</source>
        <translation>Plugin</translation>
    </message>
    <message>
        <location filename="../ui/pluginsdialog.ui" line="42"/>
        <source>Version</source>
        <translation>Version</translation>
    </message>
    <message>
        <location filename="../ui/pluginsdialog.ui" line="47"/>
        <source>Kinds</source>
        <translation>Arten</translation>
    </message>
    <message>
        <location filename="../ui/pluginsdialog.ui" line="52"/>
        <source>Runs</source>
        <translation>Läuft</translation>
    </message>
    <message>
        <location filename="../ui/pluginsdialog.ui" line="57"/>
        <source>Status</source>
        <translation>Status</translation>
    </message>
    <message>
        <location filename="../ui/pluginsdialog.ui" line="62"/>
        <source>File</source>
        <translation>Datei</translation>
    </message>
    <message>
        <location filename="../ui/pluginsdialog.ui" line="70"/>
        <source>How legacy plugin jobs shared the GIL in this session (times in microseconds):</source>
        <translation>Wie sich Legacy-Plugin-Aufträge in dieser Sitzung die GIL teilten (Zeiten in Mikrosekunden):</translation>
    </message>
    <message>
        <location filename="../ui/pluginsdialog.ui" line="92"/>
        <source>Acquired</source>
        <translation>Erhalten</translation>
    </message>
    <message>
        <location filename="../ui/pluginsdialog.ui" line="97"/>
        <source>Handoffs</source>
        <translation>Übergaben</translation>
    </message>
    <message>
        <location filename="../ui/pluginsdialog.ui" line="102"/>
        <source>Back from I/O first</source>
        <translation>Nach E/A zuerst</translation>
    </message>
    <message>
        <location filename="../ui/pluginsdialog.ui" line="107"/>
        <source>Wait p50 / p99 / max</source>
        <translation>Warten p50 / p99 / max</translation>
    </message>
    <message>
        <location filename="../ui/pluginsdialog.ui" line="112"/>
        <source>Hold p50 / p99 / max</source>
        <translation>Halten p50 / p99 / max</translation>
    </message>
</context>
<context>
    <name>SettingsDialog</name>
    <message>
        <location filename="../ui/settingsdialog.ui" line="14"/>
        <source>Settings</source>
        <translation>Einstellungen</translation>
    </message>
    <message>
        <location filename="../ui/settingsdialog.ui" line="22"/>
        <source>&amp;Jobs at once:</source>
        <translation>&amp;Gleichzeitige Aufträge:</translation>
    </message>
    <message>
        <location filename="../ui/settingsdialog.ui" line="42"/>
        <source>Worker &amp;priority:</source>
        <translation>&amp;Priorität der Arbeit:</translation>
    </message>
    <message>
        <location filename="../ui/settingsdialog.ui" line="71"/>
        <source>Per &amp;host:</source>
        <translation>Pro &amp;Server:</translation>
    </message>
    <message>
        <location filename="../ui/settingsdialog.ui" line="87"/>
        <source>no limit</source>
        <translation>unbegrenzt</translation>
    </message>
    <message>
        <location filename="../ui/settingsdialog.ui" line="90"/>
        <source> at once</source>
        <translation> gleichzeitig</translation>
    </message>
    <message>
        <location filename="../ui/settingsdialog.ui" line="337"/>
        <source>Fo&amp;rget finished jobs:</source>
        <translation>Erledigte Aufträge ve&amp;rgessen:</translation>
    </message>
    <message>
        <location filename="../ui/settingsdialog.ui" line="353"/>
        <source>never</source>
        <translation>nie</translation>
    </message>
    <message>
        <location filename="../ui/settingsdialog.ui" line="356"/>
        <source>after </source>
        <translation>nach </translation>
    </message>
    <message>
        <location filename="../ui/settingsdialog.ui" line="359"/>
        <source> days</source>
        <translation> Tagen</translation>
    </message>
    <message>
        <location filename="../ui/settingsdialog.ui" line="97"/>
        <source>Per &amp;kind:</source>
        <translation>Pro &amp;Art:</translation>
    </message>
    <message>
        <location filename="../ui/settingsdialog.ui" line="120"/>
        <source>Kind</source>
        <translation>Art</translation>
    </message>
    <message>
        <location filename="../ui/settingsdialog.ui" line="133"/>
        <source>&amp;Downloads go to:</source>
        <translation>&amp;Downloads nach:</translation>
    </message>
    <message>
        <location filename="../ui/settingsdialog.ui" line="157"/>
        <source>&amp;Legacy plugins:</source>
        <translation>&amp;Alte Plugins:</translation>
    </message>
    <message>
        <location filename="../ui/settingsdialog.ui" line="53"/>
        <source>Low: your other programs come first</source>
        <translation>Niedrig: Ihre anderen Programme gehen vor</translation>
    </message>
    <message>
        <location filename="../ui/settingsdialog.ui" line="58"/>
        <source>Idle: only when the computer has nothing else to do</source>
        <translation>Leerlauf: nur wenn der Rechner sonst nichts zu tun hat</translation>
    </message>
    <message>
        <location filename="../ui/settingsdialog.ui" line="63"/>
        <source>Normal: like any other program</source>
        <translation>Normal: wie jedes andere Programm</translation>
    </message>
    <message>
        <location filename="../ui/settingsdialog.ui" line="125"/>
        <source>At most at once</source>
        <translation>Höchstens gleichzeitig</translation>
    </message>
    <message>
        <location filename="../ui/settingsdialog.ui" line="170"/>
        <source>One at a time, inside Spool</source>
        <translation>Einer nach dem anderen, in Spool</translation>
    </message>
    <message>
        <location filename="../ui/settingsdialog.ui" line="175"/>
        <source>Side by side, each in a helper process</source>
        <translation>Nebeneinander, jedes in einem Hilfsprozess</translation>
    </message>
    <message>
        <location filename="../ui/settingsdialog.ui" line="183"/>
        <source>ta&amp;ke turns every:</source>
        <translation>ab&amp;wechseln alle:</translation>
    </message>
    <message>
        <location filename="../ui/settingsdialog.ui" line="193"/>
        <source>How long one legacy job may keep the others waiting before it hands over at its next safe point. Shorter: fairer turns, a little more overhead. Longer: less overhead, longer waits.</source>
        <translation>Wie lange ein Auftrag eines alten Plugins die anderen höchstens warten lässt, bevor er an seinem nächsten sicheren Punkt abgibt. Kürzer: gerechtere Wechsel, etwas mehr Aufwand. Länger: weniger Aufwand, längeres Warten.</translation>
    </message>
    <message>
        <location filename="../ui/settingsdialog.ui" line="214"/>
        <source>Each legacy &amp;plugin:</source>
        <translation>Jedes alte &amp;Plugin:</translation>
    </message>
    <message>
        <location filename="../ui/settingsdialog.ui" line="237"/>
        <source>Legacy plugin</source>
        <translation>Altes Plugin</translation>
    </message>
    <message>
        <location filename="../ui/settingsdialog.ui" line="242"/>
        <source>Runs</source>
        <translation>Ausführung</translation>
    </message>
    <message>
        <location filename="../ui/settingsdialog.ui" line="250"/>
        <source>Notify when a job:</source>
        <translation>Benachrichtigen, wenn ein Auftrag:</translation>
    </message>
    <message>
        <location filename="../ui/settingsdialog.ui" line="259"/>
        <source>&amp;succeeds</source>
        <translation>&amp;gelingt</translation>
    </message>
    <message>
        <location filename="../ui/settingsdialog.ui" line="266"/>
        <source>&amp;fails</source>
        <translation>&amp;fehlschlägt</translation>
    </message>
    <message>
        <location filename="../ui/settingsdialog.ui" line="280"/>
        <source>Changing the limits or the priority restarts running jobs where they left off.</source>
        <translation>Neue Grenzen oder eine neue Priorität starten laufende Aufträge dort neu, wo sie standen.</translation>
    </message>
</context>
<context>
    <name>main</name>
    <message>
        <location filename="../src/app/main.cpp" line="38"/>
        <source>A desktop job queue.</source>
        <translation>Eine Warteschlange für Aufträge auf dem Desktop.</translation>
    </message>
    <message>
        <location filename="../src/app/main.cpp" line="42"/>
        <source>The queue&apos;s data directory.</source>
        <translation>Das Datenverzeichnis der Warteschlange.</translation>
    </message>
    <message>
        <location filename="../src/app/main.cpp" line="55"/>
        <source>Spool</source>
        <translation>Spool</translation>
    </message>
    <message>
        <location filename="../src/app/main.cpp" line="56"/>
        <source>Spool cannot open its queue:
%1</source>
        <translation>Spool kann seine Warteschlange nicht öffnen:
%1</translation>
    </message>
</context>
<context>
    <name>spool::app::JobDetailsPanel</name>
    <message>
        <location filename="../src/app/jobdetailspanel.cpp" line="150"/>
        <source>Select a job to see its details.</source>
        <translation>Einen Auftrag wählen, um Einzelheiten zu sehen.</translation>
    </message>
    <message>
        <location filename="../src/app/jobdetailspanel.cpp" line="165"/>
        <source>queued %1</source>
        <translation>eingereiht %1</translation>
    </message>
    <message>
        <location filename="../src/app/jobdetailspanel.cpp" line="167"/>
        <source>started %1</source>
        <translation>gestartet %1</translation>
    </message>
    <message>
        <location filename="../src/app/jobdetailspanel.cpp" line="170"/>
        <source>finished %1 (%2)</source>
        <translation>beendet %1 (%2)</translation>
    </message>
    <message>
        <location filename="../src/app/jobdetailspanel.cpp" line="174"/>
        <source>finished %1 without starting</source>
        <translation>beendet %1, ohne gestartet zu sein</translation>
    </message>
    <message>
        <location filename="../src/app/jobdetailspanel.cpp" line="190"/>
        <source>Up to date (not modified): %1 already here</source>
        <translation>Aktuell (nicht geändert): %1 schon vorhanden</translation>
    </message>
    <message>
        <location filename="../src/app/jobdetailspanel.cpp" line="193"/>
        <location filename="../src/app/jobdetailspanel.cpp" line="199"/>
        <source>%1 of %2</source>
        <translation>%1 von %2</translation>
    </message>
    <message>
        <location filename="../src/app/jobdetailspanel.cpp" line="201"/>
        <source>, next at %1</source>
        <translation>, nächster um %1</translation>
    </message>
    <message>
        <location filename="../src/app/jobdetailspanel.cpp" line="292"/>
        <source>by %1</source>
        <translation>von %1</translation>
    </message>
</context>
<context>
    <name>spool::app::JobTableModel</name>
    <message>
        <source>%1 on %2</source>
        <extracomment>A job&apos;s state and the machine it runs on: &quot;Running on render-01&quot;</extracomment>
        <translation>%1 auf %2</translation>
    </message>
    <message>
        <location filename="../src/app/jobtablemodel.cpp" line="410"/>
        <source>%1 of %2 %3</source>
        <translation>%1 von %2 %3</translation>
    </message>
    <message>
        <location filename="../src/app/jobtablemodel.cpp" line="413"/>
        <source>%1 of %2</source>
        <translation>%1 von %2</translation>
    </message>
    <message>
        <location filename="../src/app/jobtablemodel.cpp" line="515"/>
        <source>Name</source>
        <translation>Name</translation>
    </message>
    <message>
        <location filename="../src/app/jobtablemodel.cpp" line="517"/>
        <source>Kind</source>
        <translation>Art</translation>
    </message>
    <message>
        <location filename="../src/app/jobtablemodel.cpp" line="519"/>
        <source>State</source>
        <translation>Zustand</translation>
    </message>
    <message>
        <location filename="../src/app/jobtablemodel.cpp" line="521"/>
        <source>Progress</source>
        <translation>Fortschritt</translation>
    </message>
    <message>
        <location filename="../src/app/jobtablemodel.cpp" line="523"/>
        <source>Done</source>
        <translation>Erledigt</translation>
    </message>
    <message>
        <location filename="../src/app/jobtablemodel.cpp" line="525"/>
        <source>Speed</source>
        <translation>Geschwindigkeit</translation>
    </message>
    <message>
        <location filename="../src/app/jobtablemodel.cpp" line="527"/>
        <source>ETA</source>
        <translation>Restzeit</translation>
    </message>
    <message>
        <location filename="../src/app/jobtablemodel.cpp" line="529"/>
        <source>Attempt</source>
        <translation>Versuch</translation>
    </message>
    <message>
        <location filename="../src/app/jobtablemodel.cpp" line="531"/>
        <source>Queued at</source>
        <translation>Eingereiht</translation>
    </message>
    <message>
        <location filename="../src/app/jobtablemodel.cpp" line="533"/>
        <source>Started</source>
        <translation>Gestartet</translation>
    </message>
    <message>
        <location filename="../src/app/jobtablemodel.cpp" line="535"/>
        <source>Finished</source>
        <translation>Beendet</translation>
    </message>
</context>
<context>
    <name>spool::app::MainWindow</name>
    <message>
        <location filename="../src/app/mainwindow.cpp" line="51"/>
        <source>All jobs</source>
        <translation>Alle Aufträge</translation>
    </message>
    <message>
        <location filename="../src/app/mainwindow.cpp" line="52"/>
        <source>Active</source>
        <translation>Aktiv</translation>
    </message>
    <message>
        <location filename="../src/app/mainwindow.cpp" line="54"/>
        <source>Queued</source>
        <translation>Wartend</translation>
    </message>
    <message>
        <location filename="../src/app/mainwindow.cpp" line="55"/>
        <source>Running</source>
        <translation>Läuft</translation>
    </message>
    <message>
        <location filename="../src/app/mainwindow.cpp" line="56"/>
        <source>Paused</source>
        <translation>Angehalten</translation>
    </message>
    <message>
        <location filename="../src/app/mainwindow.cpp" line="57"/>
        <source>Done</source>
        <translation>Fertig</translation>
    </message>
    <message>
        <location filename="../src/app/mainwindow.cpp" line="58"/>
        <source>Failed</source>
        <translation>Fehlgeschlagen</translation>
    </message>
    <message>
        <location filename="../src/app/mainwindow.cpp" line="59"/>
        <source>Canceled</source>
        <translation>Abgebrochen</translation>
    </message>
    <message>
        <location filename="../src/app/mainwindow.cpp" line="122"/>
        <source>The queue is paused: nothing new starts.</source>
        <translation>Die Warteschlange ist angehalten: nichts Neues startet.</translation>
    </message>
    <message>
        <location filename="../src/app/mainwindow.cpp" line="122"/>
        <source>The queue runs again.</source>
        <translation>Die Warteschlange läuft wieder.</translation>
    </message>
    <message>
        <location filename="../src/app/mainwindow.cpp" line="130"/>
        <source>The queue works again.</source>
        <translation>Die Warteschlange funktioniert wieder.</translation>
    </message>
    <message>
        <location filename="../src/app/mainwindow.cpp" line="344"/>
        <source>Queue problem, retrying: %1</source>
        <translation>Problem mit der Warteschlange, neuer Versuch läuft: %1</translation>
    </message>
    <message>
        <location filename="../src/app/mainwindow.cpp" line="208"/>
        <source>No job matches the filter.</source>
        <translation>Kein Auftrag passt zum Filter.</translation>
    </message>
    <message>
        <location filename="../src/app/mainwindow.cpp" line="209"/>
        <source>No jobs yet.
Drop web addresses or 3D model files here, or use New Download or New Render.</source>
        <translation>Noch keine Aufträge.
Webadressen oder 3D-Modelldateien hierher ziehen, oder „Neuer Download“ bzw. „Neues Rendering“ wählen.</translation>
    </message>
    <message>
        <location filename="../src/app/mainwindow.cpp" line="223"/>
        <source>All kinds</source>
        <translation>Alle Arten</translation>
    </message>
    <message>
        <location filename="../src/app/mainwindow.cpp" line="246"/>
        <source>New Plugin Job</source>
        <translation>Neuer Plugin-Auftrag</translation>
    </message>
    <message>
        <location filename="../src/app/mainwindow.cpp" line="268"/>
        <source>About Spool</source>
        <translation>Über Spool</translation>
    </message>
    <message>
        <location filename="../src/app/mainwindow.cpp" line="269"/>
        <source>&lt;p&gt;&lt;b&gt;Spool %1&lt;/b&gt;&lt;/p&gt;&lt;p&gt;A desktop job queue: slow work runs in the background at a low priority, and the window stays responsive.&lt;/p&gt;&lt;p&gt;Queue: %2&lt;/p&gt;</source>
        <translation>&lt;p&gt;&lt;b&gt;Spool %1&lt;/b&gt;&lt;/p&gt;&lt;p&gt;Eine Warteschlange für Aufträge: langsame Arbeit läuft im Hintergrund mit niedriger Priorität, und das Fenster bleibt flüssig.&lt;/p&gt;&lt;p&gt;Warteschlange: %2&lt;/p&gt;</translation>
    </message>
    <message>
        <location filename="../src/app/mainwindow.cpp" line="284"/>
        <source>Find</source>
        <translation>Suchen</translation>
    </message>
    <message>
        <location filename="../src/app/mainwindow.cpp" line="293"/>
        <source>Context Menu</source>
        <translation>Kontextmenü</translation>
    </message>
    <message>
        <location filename="../src/app/mainwindow.cpp" line="303"/>
        <source>%1 (%2)</source>
        <translation>%1 (%2)</translation>
    </message>
    <message>
        <location filename="../src/app/mainwindow.cpp" line="333"/>
        <source>Queue paused</source>
        <translation>Warteschlange angehalten</translation>
    </message>
    <message>
        <location filename="../src/app/mainwindow.cpp" line="335"/>
        <source>Nothing new starts, and running jobs went back to the queue keeping their progress. Queue → Resume Queue starts them again.</source>
        <translation>Nichts Neues startet; laufende Aufträge sind mit ihrem Fortschritt in die Warteschlange zurückgekehrt. Warteschlange → Warteschlange fortsetzen startet sie wieder.</translation>
    </message>
    <message>
        <location filename="../src/app/mainwindow.cpp" line="347"/>
        <source>The longest the window had to wait for its turn in the last 5 seconds</source>
        <translation>Die längste Wartezeit des Fensters in den letzten 5 Sekunden</translation>
    </message>
    <message>
        <location filename="../src/app/mainwindow.cpp" line="349"/>
        <source>UI delay %1 ms</source>
        <translation>Verzögerung %1 ms</translation>
    </message>
    <message>
        <location filename="../src/app/mainwindow.cpp" line="356"/>
        <source>Loading the queue…</source>
        <translation>Warteschlange wird geladen …</translation>
    </message>
    <message>
        <location filename="../src/app/mainwindow.cpp" line="359"/>
        <source>No system tray here: notifications appear in this status bar.</source>
        <translation>Keine Systemleiste: Meldungen erscheinen hier unten.</translation>
    </message>
    <message numerus="yes">
        <location filename="../src/app/mainwindow.cpp" line="362"/>
        <source>%n plugin(s) refused: see Help → Plugins.</source>
        <translation>
            <numerusform>%n Plugin abgelehnt: siehe Hilfe → Plugins.</numerusform>
            <numerusform>%n Plugins abgelehnt: siehe Hilfe → Plugins.</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../src/app/mainwindow.cpp" line="372"/>
        <source>%1 running · %2 queued · %3 paused · %4 done · %5 failed · %6 canceled</source>
        <translation>aktiv: %1 · wartend: %2 · angehalten: %3 · fertig: %4 · fehlgeschlagen: %5 · abgebrochen: %6</translation>
    </message>
    <message>
        <location filename="../src/app/mainwindow.cpp" line="387"/>
        <source>↓ %1</source>
        <translation>↓ %1</translation>
    </message>
    <message>
        <location filename="../src/app/mainwindow.cpp" line="473"/>
        <source>Clear Finished</source>
        <translation>Erledigte entfernen</translation>
    </message>
    <message numerus="yes">
        <location filename="../src/app/mainwindow.cpp" line="474"/>
        <source>Remove %n succeeded job(s) from the list?</source>
        <translation>
            <numerusform>%n erfolgreichen Auftrag aus der Liste entfernen?</numerusform>
            <numerusform>%n erfolgreiche Aufträge aus der Liste entfernen?</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../src/app/mainwindow.cpp" line="476"/>
        <source>Their files stay where they are.</source>
        <translation>Ihre Dateien bleiben, wo sie sind.</translation>
    </message>
    <message>
        <location filename="../src/app/mainwindow.cpp" line="477"/>
        <source>Remove</source>
        <translation>Entfernen</translation>
    </message>
    <message>
        <location filename="../src/app/mainwindow.cpp" line="479"/>
        <source>Also remove %1 failed and %2 canceled job(s)</source>
        <translation>Auch %1 fehlgeschlagene und %2 abgebrochene Aufträge entfernen</translation>
    </message>
    <message>
        <location filename="../src/app/mainwindow.cpp" line="511"/>
        <source>%1 is not there any more.</source>
        <translation>%1 ist nicht mehr da.</translation>
    </message>
    <message>
        <location filename="../src/app/mainwindow.cpp" line="526"/>
        <source>New Download</source>
        <translation>Neuer Download</translation>
    </message>
    <message>
        <location filename="../src/app/mainwindow.cpp" line="537"/>
        <source>New Render</source>
        <translation>Neues Rendering</translation>
    </message>
    <message>
        <location filename="../src/app/mainwindow.cpp" line="553"/>
        <source>Settings applied; running jobs continue where they were.</source>
        <translation>Einstellungen übernommen; laufende Aufträge machen dort weiter, wo sie waren.</translation>
    </message>
    <message>
        <location filename="../src/app/mainwindow.cpp" line="613"/>
        <source>Spool cannot queue %1: drop web addresses to download them, or 3D model files to render them.</source>
        <translation>Spool kann %1 nicht einreihen: Webadressen ablegen, um sie herunterzuladen, oder 3D-Modelldateien, um sie zu rendern.</translation>
    </message>
    <message numerus="yes">
        <location filename="../src/app/mainwindow.cpp" line="618"/>
        <source>Queued %n download(s)</source>
        <translation>
            <numerusform>%n Download eingereiht</numerusform>
            <numerusform>%n Downloads eingereiht</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location filename="../src/app/mainwindow.cpp" line="619"/>
        <source>%n render(s).</source>
        <translation>
            <numerusform>%n Rendering.</numerusform>
            <numerusform>%n Renderings.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location filename="../src/app/mainwindow.cpp" line="622"/>
        <source>Queued %n download(s).</source>
        <translation>
            <numerusform>%n Download eingereiht.</numerusform>
            <numerusform>%n Downloads eingereiht.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location filename="../src/app/mainwindow.cpp" line="624"/>
        <source>Queued %n render(s).</source>
        <translation>
            <numerusform>%n Rendering eingereiht.</numerusform>
            <numerusform>%n Renderings eingereiht.</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../src/app/mainwindow.cpp" line="653"/>
        <source>Quit Spool</source>
        <translation>Spool beenden</translation>
    </message>
    <message numerus="yes">
        <location filename="../src/app/mainwindow.cpp" line="654"/>
        <source>%n job(s) are running.</source>
        <translation>
            <numerusform>%n Auftrag läuft.</numerusform>
            <numerusform>%n Aufträge laufen.</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../src/app/mainwindow.cpp" line="657"/>
        <source>Let them finish first, or stop them now? Stopped jobs go back to the queue and continue where they were the next time Spool runs.</source>
        <translation>Erst fertig werden lassen oder jetzt anhalten? Angehaltene Aufträge kommen zurück in die Warteschlange und machen beim nächsten Start dort weiter, wo sie waren.</translation>
    </message>
    <message>
        <location filename="../src/app/mainwindow.cpp" line="659"/>
        <source>Let Them Finish</source>
        <translation>Fertig werden lassen</translation>
    </message>
    <message>
        <location filename="../src/app/mainwindow.cpp" line="660"/>
        <source>Stop Them</source>
        <translation>Anhalten</translation>
    </message>
    <message>
        <location filename="../src/app/mainwindow.cpp" line="682"/>
        <source>Waiting for the running jobs to finish…</source>
        <translation>Warten, bis die laufenden Aufträge fertig sind …</translation>
    </message>
    <message>
        <location filename="../src/app/mainwindow.cpp" line="790"/>
        <source>The queue cannot be reached: waiting to hand the jobs back…</source>
        <translation>Die Warteschlange ist nicht erreichbar: warte darauf, die Aufträge zurückzugeben…</translation>
    </message>
    <message>
        <location filename="../src/app/mainwindow.cpp" line="790"/>
        <source>The queue cannot be reached, so Spool cannot hand its running jobs back.</source>
        <translation>Die Warteschlange ist nicht erreichbar, daher kann Spool die laufenden Aufträge nicht zurückgeben.</translation>
    </message>
    <message>
        <location filename="../src/app/mainwindow.cpp" line="790"/>
        <source>Quit anyway? The jobs go back to the queue when their leases expire, and continue where they were.</source>
        <translation>Trotzdem beenden? Die Aufträge gehen in die Warteschlange zurück, wenn ihre Leases ablaufen, und machen dort weiter, wo sie waren.</translation>
    </message>
    <message>
        <location filename="../src/app/mainwindow.cpp" line="790"/>
        <source>Quit Anyway</source>
        <translation>Trotzdem beenden</translation>
    </message>
    <message>
        <location filename="../src/app/mainwindow.cpp" line="790"/>
        <source>Keep Waiting</source>
        <translation>Weiter warten</translation>
    </message>
</context>
<context>
    <name>spool::app::NewDownloadDialog</name>
    <message>
        <location filename="../src/app/newdownloaddialog.cpp" line="22"/>
        <source>Save Downloads In</source>
        <translation>Downloads speichern in</translation>
    </message>
    <message>
        <location filename="../src/app/newdownloaddialog.cpp" line="84"/>
        <source>Enter the address to download.</source>
        <translation>Die Adresse zum Herunterladen eingeben.</translation>
    </message>
</context>
<context>
    <name>spool::app::NewPluginJobDialog</name>
    <message>
        <location filename="../src/app/newpluginjobdialog.cpp" line="24"/>
        <source>, legacy</source>
        <translation>, Legacy</translation>
    </message>
    <message>
        <location filename="../src/app/newpluginjobdialog.cpp" line="88"/>
        <source>No plugin provides a job kind here (see Help → Plugins).</source>
        <translation>Kein Plugin stellt hier eine Auftragsart bereit (siehe Hilfe → Plugins).</translation>
    </message>
</context>
<context>
    <name>spool::app::NewRenderDialog</name>
    <message>
        <location filename="../src/app/newrenderdialog.cpp" line="29"/>
        <location filename="../src/app/newrenderdialog.cpp" line="166"/>
        <source>Frame the whole model</source>
        <translation>Das ganze Modell zeigen</translation>
    </message>
    <message>
        <location filename="../src/app/newrenderdialog.cpp" line="40"/>
        <source>Render Model</source>
        <translation>Modell rendern</translation>
    </message>
    <message>
        <location filename="../src/app/newrenderdialog.cpp" line="41"/>
        <source>3D models (*.obj *.ply *.stl *.gltf *.glb *.fbx *.off *.dae *.3ds *.blend);;All files (*)</source>
        <translation>3D-Modelle (*.obj *.ply *.stl *.gltf *.glb *.fbx *.off *.dae *.3ds *.blend);;Alle Dateien (*)</translation>
    </message>
    <message>
        <location filename="../src/app/newrenderdialog.cpp" line="51"/>
        <source>Save Render As</source>
        <translation>Rendering speichern als</translation>
    </message>
    <message>
        <location filename="../src/app/newrenderdialog.cpp" line="52"/>
        <source>PNG images (*.png)</source>
        <translation>PNG-Bilder (*.png)</translation>
    </message>
    <message>
        <location filename="../src/app/newrenderdialog.cpp" line="168"/>
        <source>Camera “%1”</source>
        <translation>Kamera „%1“</translation>
    </message>
    <message>
        <location filename="../src/app/newrenderdialog.cpp" line="197"/>
        <source>Choose a model file, or the built-in terrain.</source>
        <translation>Wählen Sie eine Modelldatei oder das eingebaute Gelände.</translation>
    </message>
    <message>
        <location filename="../src/app/newrenderdialog.cpp" line="199"/>
        <source>Choose where to save the picture.</source>
        <translation>Wählen Sie, wo das Bild gespeichert wird.</translation>
    </message>
    <message>
        <location filename="../src/app/newrenderdialog.cpp" line="205"/>
        <source>This model cannot be read: %1</source>
        <translation>Dieses Modell kann nicht gelesen werden: %1</translation>
    </message>
    <message>
        <location filename="../src/app/newrenderdialog.cpp" line="200"/>
        <source>one part per machine that runs the queue: %1 now</source>
        <translation>ein Teil je Rechner, der die Warteschlange abarbeitet: jetzt %1</translation>
    </message>
    <message>
        <location filename="../src/app/newrenderdialog.cpp" line="201"/>
        <source>parts, for several machines of a shared queue</source>
        <translation>Teile, für mehrere Rechner einer gemeinsamen Warteschlange</translation>
    </message>
    <message>
        <location filename="../src/app/newrenderdialog.cpp" line="210"/>
        <source>one part per machine that runs the queue (counting…)</source>
        <translation>ein Teil je Rechner, der die Warteschlange abarbeitet (wird gezählt…)</translation>
    </message>
    <message>
        <location filename="../src/app/newrenderdialog.cpp" line="210"/>
        <source>Counting the machines that run the queue…</source>
        <translation>Die Rechner, die die Warteschlange abarbeiten, werden gezählt…</translation>
    </message>
</context>
<context>
    <name>spool::app::Notifier</name>
    <message>
        <location filename="../src/app/notifier.cpp" line="18"/>
        <source>Spool</source>
        <translation>Spool</translation>
    </message>
    <message>
        <location filename="../src/app/notifier.cpp" line="31"/>
        <source>%1 is done</source>
        <translation>%1 ist fertig</translation>
    </message>
    <message>
        <location filename="../src/app/notifier.cpp" line="36"/>
        <source>%1 failed: %2</source>
        <translation>%1 fehlgeschlagen: %2</translation>
    </message>
    <message>
        <location filename="../src/app/notifier.cpp" line="43"/>
        <source>Job failed</source>
        <translation>Auftrag fehlgeschlagen</translation>
    </message>
    <message>
        <location filename="../src/app/notifier.cpp" line="43"/>
        <source>Job done</source>
        <translation>Auftrag fertig</translation>
    </message>
    <message>
        <location filename="../src/app/notifier.cpp" line="55"/>
        <source>Spool: %1 running, %2 queued</source>
        <translation>Spool: aktiv %1, wartend %2</translation>
    </message>
</context>
<context>
    <name>spool::app::PluginsDialog</name>
    <message>
        <location filename="../src/app/pluginsdialog.cpp" line="61"/>
        <source>in parallel (thread-safe)</source>
        <translation>parallel (threadsicher)</translation>
    </message>
    <message>
        <location filename="../src/app/pluginsdialog.cpp" line="62"/>
        <source>under the GIL (legacy)</source>
        <translation>unter der GIL (Legacy)</translation>
    </message>
    <message>
        <location filename="../src/app/pluginsdialog.cpp" line="63"/>
        <source>in worker processes (legacy)</source>
        <translation>in Arbeitsprozessen (Legacy)</translation>
    </message>
    <message>
        <location filename="../src/app/pluginsdialog.cpp" line="67"/>
        <source>in use</source>
        <translation>in Gebrauch</translation>
    </message>
    <message>
        <location filename="../src/app/pluginsdialog.cpp" line="67"/>
        <source>refused: %1</source>
        <translation>abgelehnt: %1</translation>
    </message>
    <message>
        <location filename="../src/app/pluginsdialog.cpp" line="74"/>
        <source>No plugins in %1</source>
        <translation>Keine Plugins in %1</translation>
    </message>
    <message>
        <location filename="../src/app/pluginsdialog.cpp" line="92"/>
        <source>No legacy plugin job has run here yet.</source>
        <translation>Hier ist noch kein Legacy-Plugin-Auftrag gelaufen.</translation>
    </message>
</context>
<context>
    <name>spool::app::SettingsDialog</name>
    <message>
        <location filename="../src/app/settingsdialog.cpp" line="45"/>
        <source>no limit</source>
        <translation>unbegrenzt</translation>
    </message>
    <message>
        <location filename="../src/app/settingsdialog.cpp" line="58"/>
        <source>As chosen above</source>
        <translation>Wie oben gewählt</translation>
    </message>
    <message>
        <location filename="../src/app/settingsdialog.cpp" line="58"/>
        <source>One at a time, inside Spool</source>
        <translation>Einer nach dem anderen, in Spool</translation>
    </message>
    <message>
        <location filename="../src/app/settingsdialog.cpp" line="59"/>
        <source>Side by side, each in a helper process</source>
        <translation>Nebeneinander, jedes in einem Hilfsprozess</translation>
    </message>
    <message>
        <location filename="../src/app/settingsdialog.cpp" line="101"/>
        <source>How many jobs run at the same time. More finishes a long queue sooner, but each job then shares the processor and the network with more others.</source>
        <translation>Wie viele Aufträge gleichzeitig laufen. Mehr arbeitet eine lange Warteschlange schneller ab, aber jeder Auftrag teilt sich Prozessor und Netz dann mit mehr anderen.</translation>
    </message>
    <message>
        <location filename="../src/app/settingsdialog.cpp" line="104"/>
        <source>Low and Idle keep the desktop and Spool&apos;s own window quick while jobs run; Normal finishes jobs sooner when the computer is busy with other things.</source>
        <translation>Niedrig und Leerlauf halten den Desktop und Spools Fenster flüssig, während Aufträge laufen; Normal erledigt Aufträge schneller, wenn der Rechner mit anderem beschäftigt ist.</translation>
    </message>
    <message>
        <location filename="../src/app/settingsdialog.cpp" line="107"/>
        <source>How many downloads from one server run at once. Servers often slow down or refuse clients that open many connections.</source>
        <translation>Wie viele Downloads von einem Server gleichzeitig laufen. Server bremsen oder sperren oft Programme, die viele Verbindungen öffnen.</translation>
    </message>
    <message>
        <location filename="../src/app/settingsdialog.cpp" line="172"/>
        <source>Succeeded, failed and canceled jobs older than this leave the list and the queue (checked every hour). Their output files stay where they are.</source>
        <translation>Erfolgreiche, fehlgeschlagene und abgebrochene Aufträge, die älter sind, verschwinden aus der Liste und der Warteschlange (stündlich geprüft). Ihre Ausgabedateien bleiben, wo sie sind.</translation>
    </message>
    <message>
        <location filename="../src/app/settingsdialog.cpp" line="109"/>
        <source>Limit one kind of job, e.g. one render at a time while downloads go on beside it.</source>
        <translation>Eine Auftragsart begrenzen, z. B. ein Rendering nach dem anderen, während Downloads daneben weiterlaufen.</translation>
    </message>
    <message>
        <location filename="../src/app/settingsdialog.cpp" line="112"/>
        <source>Legacy plugins were not written to run several jobs at once. Inside Spool they take turns: light and quick to start, but a plugin that crashes takes Spool&apos;s running jobs with it. In helper processes they run side by side and a crash fails only its own job, at the cost of memory and start-up time.</source>
        <translation>Alte Plugins können nicht mehrere Aufträge zugleich ausführen. In Spool wechseln sie sich ab: sparsam und schnell gestartet, aber ein abstürzendes Plugin reißt Spools laufende Aufträge mit. In Hilfsprozessen laufen sie nebeneinander, und ein Absturz lässt nur den eigenen Auftrag scheitern – auf Kosten von Speicher und Startzeit.</translation>
    </message>
    <message>
        <location filename="../src/app/settingsdialog.cpp" line="82"/>
        <source>Downloads Go To</source>
        <translation>Downloads nach</translation>
    </message>
</context>
<context>
    <name>spool::app::format</name>
    <message>
        <source>yes</source>
        <translation>ja</translation>
    </message>
    <message>
        <source>no</source>
        <translation>nein</translation>
    </message>
    <message>
        <location filename="../src/app/format.cpp" line="54"/>
        <source>%1/s</source>
        <translation>%1/s</translation>
    </message>
    <message>
        <location filename="../src/app/format.cpp" line="56"/>
        <source>%1×</source>
        <translation>%1×</translation>
    </message>
    <message>
        <location filename="../src/app/format.cpp" line="59"/>
        <location filename="../src/app/format.cpp" line="60"/>
        <source>%1 %2/s</source>
        <translation>%1 %2/s</translation>
    </message>
    <message>
        <location filename="../src/app/format.cpp" line="66"/>
        <source>%1 ms</source>
        <translation>%1 ms</translation>
    </message>
    <message>
        <location filename="../src/app/format.cpp" line="69"/>
        <source>%1 s</source>
        <translation>%1 s</translation>
    </message>
    <message>
        <location filename="../src/app/format.cpp" line="71"/>
        <source>%1 min %2 s</source>
        <translation>%1 min %2 s</translation>
    </message>
    <message>
        <location filename="../src/app/format.cpp" line="72"/>
        <source>%1 h %2 min</source>
        <translation>%1 h %2 min</translation>
    </message>
    <message>
        <location filename="../src/app/format.cpp" line="78"/>
        <source>unknown</source>
        <translation>unbekannt</translation>
    </message>
    <message>
        <location filename="../src/app/format.cpp" line="100"/>
        <source>Queued</source>
        <translation>Wartend</translation>
    </message>
    <message>
        <location filename="../src/app/format.cpp" line="102"/>
        <source>Running</source>
        <translation>Läuft</translation>
    </message>
    <message>
        <location filename="../src/app/format.cpp" line="104"/>
        <source>Paused</source>
        <translation>Angehalten</translation>
    </message>
    <message>
        <location filename="../src/app/format.cpp" line="106"/>
        <source>Done</source>
        <translation>Fertig</translation>
    </message>
    <message>
        <location filename="../src/app/format.cpp" line="108"/>
        <source>Failed</source>
        <translation>Fehlgeschlagen</translation>
    </message>
    <message>
        <location filename="../src/app/format.cpp" line="110"/>
        <source>Canceled</source>
        <translation>Abgebrochen</translation>
    </message>
    <message>
        <location filename="../src/app/format.cpp" line="128"/>
        <source>Pausing</source>
        <translation>Hält an</translation>
    </message>
    <message>
        <location filename="../src/app/format.cpp" line="130"/>
        <source>Canceling</source>
        <translation>Bricht ab</translation>
    </message>
    <message>
        <location filename="../src/app/format.cpp" line="132"/>
        <source>Removing</source>
        <translation>Wird entfernt</translation>
    </message>
    <message>
        <location filename="../src/app/format.cpp" line="136"/>
        <source>Retrying at %1</source>
        <translation>Neuer Versuch um %1</translation>
    </message>
</context>
</TS>
