<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="fr_FR">
<context>
    <name>QueueOpener</name>
    <message>
        <location filename="../src/app/queueopener.cpp" line="27"/>
        <source>Opening the queue in %1…</source>
        <translation>Ouverture de la file dans %1…</translation>
    </message>
    <message>
        <location filename="../src/app/queueopener.cpp" line="28"/>
        <source>Connecting to the shared queue %1…</source>
        <translation>Connexion à la file partagée %1…</translation>
    </message>
    <message>
        <location filename="../src/app/queueopener.cpp" line="31"/>
        <source>Quit</source>
        <translation>Quitter</translation>
    </message>
</context>
<context>
    <name>JobDetailsPanel</name>
    <message>
        <location filename="../ui/jobdetailspanel.ui" line="31"/>
        <source>Kind:</source>
        <translation>Type :</translation>
    </message>
    <message>
        <location filename="../ui/jobdetailspanel.ui" line="48"/>
        <source>Id:</source>
        <translation>Identifiant :</translation>
    </message>
    <message>
        <location filename="../ui/jobdetailspanel.ui" line="68"/>
        <source>Parameters:</source>
        <translation>Paramètres :</translation>
    </message>
    <message>
        <location filename="../ui/jobdetailspanel.ui" line="88"/>
        <source>Times:</source>
        <translation>Heures :</translation>
    </message>
    <message>
        <location filename="../ui/jobdetailspanel.ui" line="105"/>
        <source>Output:</source>
        <translation>Résultat :</translation>
    </message>
    <message>
        <location filename="../ui/jobdetailspanel.ui" line="125"/>
        <source>Error:</source>
        <translation>Erreur :</translation>
    </message>
    <message>
        <location filename="../ui/jobdetailspanel.ui" line="147"/>
        <source>Transfer</source>
        <translation>Transfert</translation>
    </message>
    <message>
        <location filename="../ui/jobdetailspanel.ui" line="155"/>
        <source>Received:</source>
        <translation>Reçu :</translation>
    </message>
    <message>
        <location filename="../ui/jobdetailspanel.ui" line="172"/>
        <source>Speed:</source>
        <translation>Vitesse :</translation>
    </message>
    <message>
        <location filename="../ui/jobdetailspanel.ui" line="189"/>
        <source>Server:</source>
        <translation>Serveur :</translation>
    </message>
    <message>
        <location filename="../ui/jobdetailspanel.ui" line="206"/>
        <source>Attempt:</source>
        <translation>Tentative :</translation>
    </message>
    <message>
        <location filename="../ui/jobdetailspanel.ui" line="240"/>
        <source>Preview</source>
        <translation>Aperçu</translation>
    </message>
    <message>
        <location filename="../ui/jobdetailspanel.ui" line="275"/>
        <source>Time</source>
        <translation>Heure</translation>
    </message>
    <message>
        <location filename="../ui/jobdetailspanel.ui" line="280"/>
        <source>#</source>
        <translation>n°</translation>
    </message>
    <message>
        <location filename="../ui/jobdetailspanel.ui" line="285"/>
        <source>Event</source>
        <translation>Événement</translation>
    </message>
    <message>
        <location filename="../ui/jobdetailspanel.ui" line="290"/>
        <source>Detail</source>
        <translation>Détail</translation>
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
        <translation>&amp;Afficher :</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.ui" line="54"/>
        <source>Filter by name</source>
        <translation>Filtrer par nom</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.ui" line="109"/>
        <source>&amp;File</source>
        <translation>&amp;Fichier</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.ui" line="121"/>
        <source>&amp;Job</source>
        <translation>&amp;Tâche</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.ui" line="134"/>
        <source>&amp;Queue</source>
        <translation>&amp;File d’attente</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.ui" line="143"/>
        <source>&amp;View</source>
        <translation>A&amp;ffichage</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.ui" line="149"/>
        <source>&amp;Help</source>
        <translation>&amp;Aide</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.ui" line="162"/>
        <source>Toolbar</source>
        <translation>Barre d’outils</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.ui" line="198"/>
        <source>&amp;New Download…</source>
        <translation>&amp;Nouveau téléchargement…</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.ui" line="201"/>
        <source>New Download…</source>
        <translation>Télécharger…</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.ui" line="204"/>
        <source>Queue a download</source>
        <translation>Mettre un téléchargement en file</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.ui" line="216"/>
        <source>New &amp;Render…</source>
        <translation>Nouveau &amp;rendu…</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.ui" line="219"/>
        <source>New Render…</source>
        <translation>Rendre…</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.ui" line="222"/>
        <source>Queue a render of a 3D model</source>
        <translation>Mettre en file le rendu d’un modèle 3D</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.ui" line="230"/>
        <source>New &amp;Plugin Job…</source>
        <translation>Nouvelle tâche de &amp;plugin…</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.ui" line="233"/>
        <source>Queue a job of a kind a plugin provides</source>
        <translation>Mettre en file une tâche fournie par un plugin</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.ui" line="238"/>
        <source>&amp;Plugins…</source>
        <translation>&amp;Plugins…</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.ui" line="241"/>
        <source>Plugins found, refused, and how legacy ones shared the GIL</source>
        <translation>Plugins trouvés, refusés, et partage du GIL par les plugins hérités</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.ui" line="250"/>
        <source>&amp;Settings…</source>
        <translation>&amp;Paramètres…</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.ui" line="253"/>
        <source>Workers, priority, limits, notifications</source>
        <translation>Tâches en parallèle, priorité, limites, notifications</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.ui" line="261"/>
        <source>&amp;Quit</source>
        <translation>&amp;Quitter</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.ui" line="264"/>
        <source>Quit Spool</source>
        <translation>Quitter Spool</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.ui" line="276"/>
        <source>&amp;Pause</source>
        <translation>&amp;Suspendre</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.ui" line="279"/>
        <source>Pause the selected jobs</source>
        <translation>Suspendre les tâches choisies</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.ui" line="291"/>
        <source>&amp;Resume</source>
        <translation>&amp;Reprendre</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.ui" line="294"/>
        <source>Resume the selected jobs</source>
        <translation>Reprendre les tâches choisies</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.ui" line="306"/>
        <source>&amp;Cancel</source>
        <translation>&amp;Annuler</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.ui" line="309"/>
        <source>Cancel the selected jobs</source>
        <translation>Annuler les tâches choisies</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.ui" line="321"/>
        <source>Re&amp;try</source>
        <translation>Réessa&amp;yer</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.ui" line="324"/>
        <source>Run the selected failed or canceled jobs again</source>
        <translation>Relancer les tâches choisies, échouées ou annulées</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.ui" line="336"/>
        <source>Re&amp;move</source>
        <translation>Supp&amp;rimer</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.ui" line="339"/>
        <source>Remove the selected jobs from the list</source>
        <translation>Retirer les tâches choisies de la liste</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.ui" line="351"/>
        <source>&amp;Open Output</source>
        <translation>&amp;Ouvrir le résultat</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.ui" line="354"/>
        <source>Open Output</source>
        <translation>Ouvrir</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.ui" line="357"/>
        <source>Open the job&apos;s result</source>
        <translation>Ouvrir le résultat de la tâche</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.ui" line="369"/>
        <source>Open &amp;Containing Folder</source>
        <translation>Ouvrir le &amp;dossier</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.ui" line="372"/>
        <source>Show in Folder</source>
        <translation>Dossier</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.ui" line="375"/>
        <source>Show the job&apos;s result in its folder</source>
        <translation>Montrer le résultat dans son dossier</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.ui" line="387"/>
        <source>Pause &amp;Queue</source>
        <translation>Suspendre la &amp;file</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.ui" line="390"/>
        <source>Pause Queue</source>
        <translation>Tout suspendre</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.ui" line="393"/>
        <source>Start nothing new and send running jobs back to the queue</source>
        <translation>Ne rien lancer de nouveau et remettre les tâches en cours dans la file</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.ui" line="405"/>
        <source>Resume Q&amp;ueue</source>
        <translation>Reprendre la f&amp;ile</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.ui" line="408"/>
        <source>Resume Queue</source>
        <translation>Tout reprendre</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.ui" line="411"/>
        <source>Let the queue run again</source>
        <translation>Laisser la file repartir</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.ui" line="423"/>
        <source>C&amp;lear Finished</source>
        <translation>&amp;Vider les terminées</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.ui" line="426"/>
        <source>Clear Finished</source>
        <translation>Nettoyer</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.ui" line="429"/>
        <source>Remove the jobs that succeeded; failed and canceled ones only if you say so</source>
        <translation>Retirer les tâches réussies ; les échouées et annulées seulement si vous le demandez</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.ui" line="443"/>
        <source>&amp;Details</source>
        <translation>&amp;Détails</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.ui" line="446"/>
        <source>Show the details of the current job</source>
        <translation>Montrer les détails de la tâche courante</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.ui" line="454"/>
        <source>&amp;About Spool</source>
        <translation>À &amp;propos de Spool</translation>
    </message>
</context>
<context>
    <name>NewDownloadDialog</name>
    <message>
        <location filename="../ui/newdownloaddialog.ui" line="14"/>
        <source>New Download</source>
        <translation>Nouveau téléchargement</translation>
    </message>
    <message>
        <location filename="../ui/newdownloaddialog.ui" line="22"/>
        <source>&amp;URL:</source>
        <translation>&amp;Adresse :</translation>
    </message>
    <message>
        <location filename="../ui/newdownloaddialog.ui" line="39"/>
        <source>Save &amp;in:</source>
        <translation>Enregistrer &amp;dans :</translation>
    </message>
    <message>
        <location filename="../ui/newdownloaddialog.ui" line="63"/>
        <source>File &amp;name:</source>
        <translation>&amp;Nom du fichier :</translation>
    </message>
    <message>
        <location filename="../ui/newdownloaddialog.ui" line="73"/>
        <source>as the server names it</source>
        <translation>tel que le serveur le nomme</translation>
    </message>
    <message>
        <location filename="../ui/newdownloaddialog.ui" line="80"/>
        <source>SHA-&amp;256:</source>
        <translation>SHA-&amp;256 :</translation>
    </message>
    <message>
        <location filename="../ui/newdownloaddialog.ui" line="90"/>
        <source>optional: verify the file</source>
        <translation>facultatif : vérifier le fichier</translation>
    </message>
    <message>
        <location filename="../ui/newdownloaddialog.ui" line="97"/>
        <source>&amp;Method:</source>
        <translation>&amp;Méthode :</translation>
    </message>
    <message>
        <location filename="../ui/newdownloaddialog.ui" line="136"/>
        <source>&amp;Headers:</source>
        <translation>&amp;En-têtes :</translation>
    </message>
    <message>
        <location filename="../ui/newdownloaddialog.ui" line="146"/>
        <source>Name: value, one per line (credentials go to the keychain)</source>
        <translation>Nom : valeur, une par ligne (les identifiants vont au trousseau)</translation>
    </message>
    <message>
        <location filename="../ui/newdownloaddialog.ui" line="159"/>
        <source>&amp;Body:</source>
        <translation>&amp;Corps :</translation>
    </message>
    <message>
        <location filename="../ui/newdownloaddialog.ui" line="179"/>
        <source>&amp;Pages:</source>
        <translation>&amp;Pages :</translation>
    </message>
    <message>
        <location filename="../ui/newdownloaddialog.ui" line="192"/>
        <source>One response</source>
        <translation>Une seule réponse</translation>
    </message>
    <message>
        <location filename="../ui/newdownloaddialog.ui" line="197"/>
        <source>Follow Link: rel=&quot;next&quot;</source>
        <translation>Suivre Link: rel=&quot;next&quot;</translation>
    </message>
    <message>
        <location filename="../ui/newdownloaddialog.ui" line="202"/>
        <source>Follow a JSON field</source>
        <translation>Suivre un champ JSON</translation>
    </message>
</context>
<context>
    <name>NewPluginJobDialog</name>
    <message>
        <location filename="../ui/newpluginjobdialog.ui" line="14"/>
        <source>New Plugin Job</source>
        <translation>Nouvelle tâche de plugin</translation>
    </message>
    <message>
        <location filename="../ui/newpluginjobdialog.ui" line="22"/>
        <source>&amp;Kind:</source>
        <translation>&amp;Type :</translation>
    </message>
    <message>
        <location filename="../ui/newpluginjobdialog.ui" line="51"/>
        <source>Parameter</source>
        <translation>Paramètre</translation>
    </message>
    <message>
        <location filename="../ui/newpluginjobdialog.ui" line="56"/>
        <source>Value</source>
        <translation>Valeur</translation>
    </message>
    <message>
        <location filename="../ui/newpluginjobdialog.ui" line="61"/>
        <source>Description</source>
        <translation>Description</translation>
    </message>
</context>
<context>
    <name>NewRenderDialog</name>
    <message>
        <location filename="../ui/newrenderdialog.ui" line="14"/>
        <source>New Render</source>
        <translation>Nouveau rendu</translation>
    </message>
    <message>
        <location filename="../ui/newrenderdialog.ui" line="22"/>
        <source>&amp;Model:</source>
        <translation>&amp;Modèle :</translation>
    </message>
    <message>
        <location filename="../ui/newrenderdialog.ui" line="34"/>
        <source>A model file (OBJ, PLY, STL, glTF, GLB, FBX, OFF…)</source>
        <translation>Un fichier de modèle (OBJ, PLY, STL, glTF, GLB, FBX, OFF…)</translation>
    </message>
    <message>
        <location filename="../ui/newrenderdialog.ui" line="48"/>
        <source>Built-in &amp;Terrain</source>
        <translation>&amp;Terrain intégré</translation>
    </message>
    <message>
        <location filename="../ui/newrenderdialog.ui" line="51"/>
        <source>A procedural landscape of about a million triangles</source>
        <translation>Un paysage procédural d’environ un million de triangles</translation>
    </message>
    <message>
        <location filename="../ui/newrenderdialog.ui" line="60"/>
        <source>&amp;Save as:</source>
        <translation>&amp;Enregistrer sous :</translation>
    </message>
    <message>
        <location filename="../ui/newrenderdialog.ui" line="84"/>
        <source>Si&amp;ze:</source>
        <translation>Ta&amp;ille :</translation>
    </message>
    <message>
        <location filename="../ui/newrenderdialog.ui" line="129"/>
        <source>pixels</source>
        <translation>pixels</translation>
    </message>
    <message>
        <location filename="../ui/newrenderdialog.ui" line="145"/>
        <source>Sam&amp;ples per pixel:</source>
        <translation>Éc&amp;hantillons par pixel :</translation>
    </message>
    <message>
        <location filename="../ui/newrenderdialog.ui" line="170"/>
        <source>more is smoother and slower</source>
        <translation>plus, c’est plus lisse et plus lent</translation>
    </message>
    <message>
        <location filename="../ui/newrenderdialog.ui" line="186"/>
        <source>&amp;Camera:</source>
        <translation>&amp;Caméra :</translation>
    </message>
    <message>
        <location filename="../ui/newrenderdialog.ui" line="196"/>
        <source>The model&apos;s own cameras, or one that frames the whole model</source>
        <translation>Les caméras du modèle, ou une qui cadre tout le modèle</translation>
    </message>
    <message>
        <location filename="../ui/newrenderdialog.ui" line="203"/>
        <source>Colour &amp;depth:</source>
        <translation>&amp;Profondeur de couleur :</translation>
    </message>
    <message>
        <location filename="../ui/newrenderdialog.ui" line="214"/>
        <source>8 bits per channel</source>
        <translation>8 bits par canal</translation>
    </message>
    <message>
        <location filename="../ui/newrenderdialog.ui" line="219"/>
        <source>16 bits per channel</source>
        <translation>16 bits par canal</translation>
    </message>
    <message>
        <location filename="../ui/newrenderdialog.ui" line="217"/>
        <source>Split i&amp;nto:</source>
        <translation>&amp;Diviser en :</translation>
    </message>
    <message>
        <location filename="../ui/newrenderdialog.ui" line="225"/>
        <source>Each part renders some of the samples as a job of its own, on this computer's workers or on every machine of a shared queue; the last part to finish merges them into the picture. Auto: one part per machine that runs the queue now</source>
        <translation>Chaque partie calcule une part des échantillons dans une tâche à elle, sur les workers de cet ordinateur ou sur chaque machine d’une file partagée ; la dernière partie terminée les fusionne en une image. Auto : une partie par machine qui traite la file en ce moment</translation>
    </message>
    <message>
        <location filename="../ui/newrenderdialog.ui" line="239"/>
        <source>parts, for several machines of a shared queue</source>
        <translation>parties, pour plusieurs machines d’une file partagée</translation>
    </message>
    <message>
        <location filename="../ui/newrenderdialog.ui" line="242"/>
        <source>Auto</source>
        <translation>Auto</translation>
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
        <translation>Plugins trouvés dans le dossier de l’application et le vôtre :</translation>
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
        <translation>Types</translation>
    </message>
    <message>
        <location filename="../ui/pluginsdialog.ui" line="52"/>
        <source>Runs</source>
        <translation>Exécution</translation>
    </message>
    <message>
        <location filename="../ui/pluginsdialog.ui" line="57"/>
        <source>Status</source>
        <translation>État</translation>
    </message>
    <message>
        <location filename="../ui/pluginsdialog.ui" line="62"/>
        <source>File</source>
        <translation>Fichier</translation>
    </message>
    <message>
        <location filename="../ui/pluginsdialog.ui" line="70"/>
        <source>How legacy plugin jobs shared the GIL in this session (times in microseconds):</source>
        <translation>Partage du GIL par les tâches de plugins hérités dans cette session (temps en microsecondes) :</translation>
    </message>
    <message>
        <location filename="../ui/pluginsdialog.ui" line="92"/>
        <source>Acquired</source>
        <translation>Acquis</translation>
    </message>
    <message>
        <location filename="../ui/pluginsdialog.ui" line="97"/>
        <source>Handoffs</source>
        <translation>Passages</translation>
    </message>
    <message>
        <location filename="../ui/pluginsdialog.ui" line="102"/>
        <source>Back from I/O first</source>
        <translation>Prioritaires après E/S</translation>
    </message>
    <message>
        <location filename="../ui/pluginsdialog.ui" line="107"/>
        <source>Wait p50 / p99 / max</source>
        <translation>Attente p50 / p99 / max</translation>
    </message>
    <message>
        <location filename="../ui/pluginsdialog.ui" line="112"/>
        <source>Hold p50 / p99 / max</source>
        <translation>Détention p50 / p99 / max</translation>
    </message>
</context>
<context>
    <name>SettingsDialog</name>
    <message>
        <location filename="../ui/settingsdialog.ui" line="14"/>
        <source>Settings</source>
        <translation>Paramètres</translation>
    </message>
    <message>
        <location filename="../ui/settingsdialog.ui" line="22"/>
        <source>&amp;Jobs at once:</source>
        <translation>&amp;Tâches simultanées :</translation>
    </message>
    <message>
        <location filename="../ui/settingsdialog.ui" line="42"/>
        <source>Worker &amp;priority:</source>
        <translation>&amp;Priorité du travail :</translation>
    </message>
    <message>
        <location filename="../ui/settingsdialog.ui" line="71"/>
        <source>Per &amp;host:</source>
        <translation>Par &amp;serveur :</translation>
    </message>
    <message>
        <location filename="../ui/settingsdialog.ui" line="87"/>
        <source>no limit</source>
        <translation>sans limite</translation>
    </message>
    <message>
        <location filename="../ui/settingsdialog.ui" line="90"/>
        <source> at once</source>
        <translation> à la fois</translation>
    </message>
    <message>
        <location filename="../ui/settingsdialog.ui" line="337"/>
        <source>Fo&amp;rget finished jobs:</source>
        <translation>Ou&amp;blier les tâches terminées :</translation>
    </message>
    <message>
        <location filename="../ui/settingsdialog.ui" line="353"/>
        <source>never</source>
        <translation>jamais</translation>
    </message>
    <message>
        <location filename="../ui/settingsdialog.ui" line="356"/>
        <source>after </source>
        <translation>après </translation>
    </message>
    <message>
        <location filename="../ui/settingsdialog.ui" line="359"/>
        <source> days</source>
        <translation> jours</translation>
    </message>
    <message>
        <location filename="../ui/settingsdialog.ui" line="97"/>
        <source>Per &amp;kind:</source>
        <translation>Par &amp;type :</translation>
    </message>
    <message>
        <location filename="../ui/settingsdialog.ui" line="120"/>
        <source>Kind</source>
        <translation>Type</translation>
    </message>
    <message>
        <location filename="../ui/settingsdialog.ui" line="133"/>
        <source>&amp;Downloads go to:</source>
        <translation>&amp;Téléchargements dans :</translation>
    </message>
    <message>
        <location filename="../ui/settingsdialog.ui" line="157"/>
        <source>&amp;Legacy plugins:</source>
        <translation>&amp;Anciens greffons :</translation>
    </message>
    <message>
        <location filename="../ui/settingsdialog.ui" line="53"/>
        <source>Low: your other programs come first</source>
        <translation>Basse : vos autres programmes passent d’abord</translation>
    </message>
    <message>
        <location filename="../ui/settingsdialog.ui" line="58"/>
        <source>Idle: only when the computer has nothing else to do</source>
        <translation>Inactive : seulement quand l’ordinateur n’a rien d’autre à faire</translation>
    </message>
    <message>
        <location filename="../ui/settingsdialog.ui" line="63"/>
        <source>Normal: like any other program</source>
        <translation>Normale : comme tout autre programme</translation>
    </message>
    <message>
        <location filename="../ui/settingsdialog.ui" line="125"/>
        <source>At most at once</source>
        <translation>Au plus en même temps</translation>
    </message>
    <message>
        <location filename="../ui/settingsdialog.ui" line="170"/>
        <source>One at a time, inside Spool</source>
        <translation>Une à la fois, dans Spool</translation>
    </message>
    <message>
        <location filename="../ui/settingsdialog.ui" line="175"/>
        <source>Side by side, each in a helper process</source>
        <translation>Côte à côte, chacune dans un processus auxiliaire</translation>
    </message>
    <message>
        <location filename="../ui/settingsdialog.ui" line="183"/>
        <source>ta&amp;ke turns every:</source>
        <translation>a&amp;lterner toutes les :</translation>
    </message>
    <message>
        <location filename="../ui/settingsdialog.ui" line="193"/>
        <source>How long one legacy job may keep the others waiting before it hands over at its next safe point. Shorter: fairer turns, a little more overhead. Longer: less overhead, longer waits.</source>
        <translation>Combien de temps une tâche d’un ancien greffon peut faire attendre les autres avant de passer la main à son prochain point sûr. Plus court : des tours plus équitables, un peu plus de surcoût. Plus long : moins de surcoût, des attentes plus longues.</translation>
    </message>
    <message>
        <location filename="../ui/settingsdialog.ui" line="214"/>
        <source>Each legacy &amp;plugin:</source>
        <translation>Chaque ancien &amp;greffon :</translation>
    </message>
    <message>
        <location filename="../ui/settingsdialog.ui" line="237"/>
        <source>Legacy plugin</source>
        <translation>Plugin hérité</translation>
    </message>
    <message>
        <location filename="../ui/settingsdialog.ui" line="242"/>
        <source>Runs</source>
        <translation>Exécution</translation>
    </message>
    <message>
        <location filename="../ui/settingsdialog.ui" line="250"/>
        <source>Notify when a job:</source>
        <translation>Prévenir quand une tâche :</translation>
    </message>
    <message>
        <location filename="../ui/settingsdialog.ui" line="259"/>
        <source>&amp;succeeds</source>
        <translation>&amp;réussit</translation>
    </message>
    <message>
        <location filename="../ui/settingsdialog.ui" line="266"/>
        <source>&amp;fails</source>
        <translation>&amp;échoue</translation>
    </message>
    <message>
        <location filename="../ui/settingsdialog.ui" line="280"/>
        <source>Changing the limits or the priority restarts running jobs where they left off.</source>
        <translation>Changer les limites ou la priorité relance les tâches en cours là où elles en étaient.</translation>
    </message>
</context>
<context>
    <name>main</name>
    <message>
        <location filename="../src/app/main.cpp" line="38"/>
        <source>A desktop job queue.</source>
        <translation>Une file de tâches pour le bureau.</translation>
    </message>
    <message>
        <location filename="../src/app/main.cpp" line="42"/>
        <source>The queue&apos;s data directory.</source>
        <translation>Le dossier de données de la file.</translation>
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
        <translation>Spool ne peut pas ouvrir sa file :
%1</translation>
    </message>
</context>
<context>
    <name>spool::app::JobDetailsPanel</name>
    <message>
        <location filename="../src/app/jobdetailspanel.cpp" line="150"/>
        <source>Select a job to see its details.</source>
        <translation>Choisissez une tâche pour en voir les détails.</translation>
    </message>
    <message>
        <location filename="../src/app/jobdetailspanel.cpp" line="165"/>
        <source>queued %1</source>
        <translation>mise en file %1</translation>
    </message>
    <message>
        <location filename="../src/app/jobdetailspanel.cpp" line="167"/>
        <source>started %1</source>
        <translation>démarrée %1</translation>
    </message>
    <message>
        <location filename="../src/app/jobdetailspanel.cpp" line="170"/>
        <source>finished %1 (%2)</source>
        <translation>terminée %1 (%2)</translation>
    </message>
    <message>
        <location filename="../src/app/jobdetailspanel.cpp" line="174"/>
        <source>finished %1 without starting</source>
        <translation>terminée %1 sans avoir démarré</translation>
    </message>
    <message>
        <location filename="../src/app/jobdetailspanel.cpp" line="190"/>
        <source>Up to date (not modified): %1 already here</source>
        <translation>À jour (non modifié) : %1 déjà présents</translation>
    </message>
    <message>
        <location filename="../src/app/jobdetailspanel.cpp" line="193"/>
        <location filename="../src/app/jobdetailspanel.cpp" line="199"/>
        <source>%1 of %2</source>
        <translation>%1 sur %2</translation>
    </message>
    <message>
        <location filename="../src/app/jobdetailspanel.cpp" line="201"/>
        <source>, next at %1</source>
        <translation>, prochaine à %1</translation>
    </message>
    <message>
        <location filename="../src/app/jobdetailspanel.cpp" line="292"/>
        <source>by %1</source>
        <translation>par %1</translation>
    </message>
</context>
<context>
    <name>spool::app::JobTableModel</name>
    <message>
        <source>%1 on %2</source>
        <extracomment>A job&apos;s state and the machine it runs on: &quot;Running on render-01&quot;</extracomment>
        <translation>%1 sur %2</translation>
    </message>
    <message>
        <location filename="../src/app/jobtablemodel.cpp" line="410"/>
        <source>%1 of %2 %3</source>
        <translation>%1 sur %2 %3</translation>
    </message>
    <message>
        <location filename="../src/app/jobtablemodel.cpp" line="413"/>
        <source>%1 of %2</source>
        <translation>%1 sur %2</translation>
    </message>
    <message>
        <location filename="../src/app/jobtablemodel.cpp" line="515"/>
        <source>Name</source>
        <translation>Nom</translation>
    </message>
    <message>
        <location filename="../src/app/jobtablemodel.cpp" line="517"/>
        <source>Kind</source>
        <translation>Type</translation>
    </message>
    <message>
        <location filename="../src/app/jobtablemodel.cpp" line="519"/>
        <source>State</source>
        <translation>État</translation>
    </message>
    <message>
        <location filename="../src/app/jobtablemodel.cpp" line="521"/>
        <source>Progress</source>
        <translation>Progression</translation>
    </message>
    <message>
        <location filename="../src/app/jobtablemodel.cpp" line="523"/>
        <source>Done</source>
        <translation>Fait</translation>
    </message>
    <message>
        <location filename="../src/app/jobtablemodel.cpp" line="525"/>
        <source>Speed</source>
        <translation>Vitesse</translation>
    </message>
    <message>
        <location filename="../src/app/jobtablemodel.cpp" line="527"/>
        <source>ETA</source>
        <translation>Temps restant</translation>
    </message>
    <message>
        <location filename="../src/app/jobtablemodel.cpp" line="529"/>
        <source>Attempt</source>
        <translation>Tentative</translation>
    </message>
    <message>
        <location filename="../src/app/jobtablemodel.cpp" line="531"/>
        <source>Queued at</source>
        <translation>Mise en file</translation>
    </message>
    <message>
        <location filename="../src/app/jobtablemodel.cpp" line="533"/>
        <source>Started</source>
        <translation>Démarrée</translation>
    </message>
    <message>
        <location filename="../src/app/jobtablemodel.cpp" line="535"/>
        <source>Finished</source>
        <translation>Terminée</translation>
    </message>
</context>
<context>
    <name>spool::app::MainWindow</name>
    <message>
        <location filename="../src/app/mainwindow.cpp" line="51"/>
        <source>All jobs</source>
        <translation>Toutes les tâches</translation>
    </message>
    <message>
        <location filename="../src/app/mainwindow.cpp" line="52"/>
        <source>Active</source>
        <translation>Actives</translation>
    </message>
    <message>
        <location filename="../src/app/mainwindow.cpp" line="54"/>
        <source>Queued</source>
        <translation>En attente</translation>
    </message>
    <message>
        <location filename="../src/app/mainwindow.cpp" line="55"/>
        <source>Running</source>
        <translation>En cours</translation>
    </message>
    <message>
        <location filename="../src/app/mainwindow.cpp" line="56"/>
        <source>Paused</source>
        <translation>Suspendue</translation>
    </message>
    <message>
        <location filename="../src/app/mainwindow.cpp" line="57"/>
        <source>Done</source>
        <translation>Terminé</translation>
    </message>
    <message>
        <location filename="../src/app/mainwindow.cpp" line="58"/>
        <source>Failed</source>
        <translation>Échouée</translation>
    </message>
    <message>
        <location filename="../src/app/mainwindow.cpp" line="59"/>
        <source>Canceled</source>
        <translation>Annulée</translation>
    </message>
    <message>
        <location filename="../src/app/mainwindow.cpp" line="122"/>
        <source>The queue is paused: nothing new starts.</source>
        <translation>La file est suspendue : rien de nouveau ne démarre.</translation>
    </message>
    <message>
        <location filename="../src/app/mainwindow.cpp" line="122"/>
        <source>The queue runs again.</source>
        <translation>La file repart.</translation>
    </message>
    <message>
        <location filename="../src/app/mainwindow.cpp" line="130"/>
        <source>The queue works again.</source>
        <translation>La file fonctionne de nouveau.</translation>
    </message>
    <message>
        <location filename="../src/app/mainwindow.cpp" line="344"/>
        <source>Queue problem, retrying: %1</source>
        <translation>Problème avec la file, nouvel essai en cours : %1</translation>
    </message>
    <message>
        <location filename="../src/app/mainwindow.cpp" line="208"/>
        <source>No job matches the filter.</source>
        <translation>Aucune tâche ne correspond au filtre.</translation>
    </message>
    <message>
        <location filename="../src/app/mainwindow.cpp" line="209"/>
        <source>No jobs yet.
Drop web addresses or 3D model files here, or use New Download or New Render.</source>
        <translation>Aucune tâche pour l’instant.
Déposez ici des adresses web ou des modèles 3D, ou utilisez Nouveau téléchargement ou Nouveau rendu.</translation>
    </message>
    <message>
        <location filename="../src/app/mainwindow.cpp" line="223"/>
        <source>All kinds</source>
        <translation>Tous les types</translation>
    </message>
    <message>
        <location filename="../src/app/mainwindow.cpp" line="246"/>
        <source>New Plugin Job</source>
        <translation>Nouvelle tâche de plugin</translation>
    </message>
    <message>
        <location filename="../src/app/mainwindow.cpp" line="268"/>
        <source>About Spool</source>
        <translation>À propos de Spool</translation>
    </message>
    <message>
        <location filename="../src/app/mainwindow.cpp" line="269"/>
        <source>&lt;p&gt;&lt;b&gt;Spool %1&lt;/b&gt;&lt;/p&gt;&lt;p&gt;A desktop job queue: slow work runs in the background at a low priority, and the window stays responsive.&lt;/p&gt;&lt;p&gt;Queue: %2&lt;/p&gt;</source>
        <translation>&lt;p&gt;&lt;b&gt;Spool %1&lt;/b&gt;&lt;/p&gt;&lt;p&gt;Une file de tâches : le travail lent tourne en arrière-plan à basse priorité, et la fenêtre reste réactive.&lt;/p&gt;&lt;p&gt;File : %2&lt;/p&gt;</translation>
    </message>
    <message>
        <location filename="../src/app/mainwindow.cpp" line="284"/>
        <source>Find</source>
        <translation>Rechercher</translation>
    </message>
    <message>
        <location filename="../src/app/mainwindow.cpp" line="293"/>
        <source>Context Menu</source>
        <translation>Menu contextuel</translation>
    </message>
    <message>
        <location filename="../src/app/mainwindow.cpp" line="303"/>
        <source>%1 (%2)</source>
        <translation>%1 (%2)</translation>
    </message>
    <message>
        <location filename="../src/app/mainwindow.cpp" line="333"/>
        <source>Queue paused</source>
        <translation>File en pause</translation>
    </message>
    <message>
        <location filename="../src/app/mainwindow.cpp" line="335"/>
        <source>Nothing new starts, and running jobs went back to the queue keeping their progress. Queue → Resume Queue starts them again.</source>
        <translation>Rien de nouveau ne démarre ; les tâches en cours sont revenues dans la file en gardant leur progression. File d’attente → Reprendre la file les relance.</translation>
    </message>
    <message>
        <location filename="../src/app/mainwindow.cpp" line="347"/>
        <source>The longest the window had to wait for its turn in the last 5 seconds</source>
        <translation>La plus longue attente de la fenêtre ces 5 dernières secondes</translation>
    </message>
    <message>
        <location filename="../src/app/mainwindow.cpp" line="349"/>
        <source>UI delay %1 ms</source>
        <translation>Délai %1 ms</translation>
    </message>
    <message>
        <location filename="../src/app/mainwindow.cpp" line="356"/>
        <source>Loading the queue…</source>
        <translation>Chargement de la file…</translation>
    </message>
    <message>
        <location filename="../src/app/mainwindow.cpp" line="359"/>
        <source>No system tray here: notifications appear in this status bar.</source>
        <translation>Pas de zone de notification ici : les notifications s’affichent dans cette barre d’état.</translation>
    </message>
    <message numerus="yes">
        <location filename="../src/app/mainwindow.cpp" line="362"/>
        <source>%n plugin(s) refused: see Help → Plugins.</source>
        <translation>
            <numerusform>%n plugin refusé : voir Aide → Plugins.</numerusform>
            <numerusform>%n plugins refusés : voir Aide → Plugins.</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../src/app/mainwindow.cpp" line="372"/>
        <source>%1 running · %2 queued · %3 paused · %4 done · %5 failed · %6 canceled</source>
        <translation>%1 en cours · %2 en attente · %3 suspendues · %4 terminées · %5 échouées · %6 annulées</translation>
    </message>
    <message>
        <location filename="../src/app/mainwindow.cpp" line="387"/>
        <source>↓ %1</source>
        <translation>↓ %1</translation>
    </message>
    <message>
        <location filename="../src/app/mainwindow.cpp" line="473"/>
        <source>Clear Finished</source>
        <translation>Retirer les terminées</translation>
    </message>
    <message numerus="yes">
        <location filename="../src/app/mainwindow.cpp" line="474"/>
        <source>Remove %n succeeded job(s) from the list?</source>
        <translation>
            <numerusform>Retirer %n tâche réussie de la liste ?</numerusform>
            <numerusform>Retirer %n tâches réussies de la liste ?</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../src/app/mainwindow.cpp" line="476"/>
        <source>Their files stay where they are.</source>
        <translation>Leurs fichiers restent où ils sont.</translation>
    </message>
    <message>
        <location filename="../src/app/mainwindow.cpp" line="477"/>
        <source>Remove</source>
        <translation>Retirer</translation>
    </message>
    <message>
        <location filename="../src/app/mainwindow.cpp" line="479"/>
        <source>Also remove %1 failed and %2 canceled job(s)</source>
        <translation>Retirer aussi %1 tâche(s) échouée(s) et %2 annulée(s)</translation>
    </message>
    <message>
        <location filename="../src/app/mainwindow.cpp" line="511"/>
        <source>%1 is not there any more.</source>
        <translation>%1 n’est plus là.</translation>
    </message>
    <message>
        <location filename="../src/app/mainwindow.cpp" line="526"/>
        <source>New Download</source>
        <translation>Nouveau téléchargement</translation>
    </message>
    <message>
        <location filename="../src/app/mainwindow.cpp" line="537"/>
        <source>New Render</source>
        <translation>Nouveau rendu</translation>
    </message>
    <message>
        <location filename="../src/app/mainwindow.cpp" line="553"/>
        <source>Settings applied; running jobs continue where they were.</source>
        <translation>Paramètres appliqués ; les tâches en cours reprennent là où elles étaient.</translation>
    </message>
    <message>
        <location filename="../src/app/mainwindow.cpp" line="613"/>
        <source>Spool cannot queue %1: drop web addresses to download them, or 3D model files to render them.</source>
        <translation>Spool ne peut pas mettre %1 en file : déposez des adresses web pour les télécharger, ou des fichiers de modèles 3D pour les rendre.</translation>
    </message>
    <message numerus="yes">
        <location filename="../src/app/mainwindow.cpp" line="618"/>
        <source>Queued %n download(s)</source>
        <translation>
            <numerusform>%n téléchargement mis en file</numerusform>
            <numerusform>%n téléchargements mis en file</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location filename="../src/app/mainwindow.cpp" line="619"/>
        <source>%n render(s).</source>
        <translation>
            <numerusform>%n rendu.</numerusform>
            <numerusform>%n rendus.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location filename="../src/app/mainwindow.cpp" line="622"/>
        <source>Queued %n download(s).</source>
        <translation>
            <numerusform>%n téléchargement mis en file.</numerusform>
            <numerusform>%n téléchargements mis en file.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location filename="../src/app/mainwindow.cpp" line="624"/>
        <source>Queued %n render(s).</source>
        <translation>
            <numerusform>%n rendu mis en file.</numerusform>
            <numerusform>%n rendus mis en file.</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../src/app/mainwindow.cpp" line="653"/>
        <source>Quit Spool</source>
        <translation>Quitter Spool</translation>
    </message>
    <message numerus="yes">
        <location filename="../src/app/mainwindow.cpp" line="654"/>
        <source>%n job(s) are running.</source>
        <translation>
            <numerusform>%n tâche est en cours.</numerusform>
            <numerusform>%n tâches sont en cours.</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../src/app/mainwindow.cpp" line="657"/>
        <source>Let them finish first, or stop them now? Stopped jobs go back to the queue and continue where they were the next time Spool runs.</source>
        <translation>Les laisser finir, ou les arrêter maintenant ? Les tâches arrêtées retournent dans la file et reprennent là où elles étaient au prochain lancement de Spool.</translation>
    </message>
    <message>
        <location filename="../src/app/mainwindow.cpp" line="659"/>
        <source>Let Them Finish</source>
        <translation>Les laisser finir</translation>
    </message>
    <message>
        <location filename="../src/app/mainwindow.cpp" line="660"/>
        <source>Stop Them</source>
        <translation>Les arrêter</translation>
    </message>
    <message>
        <location filename="../src/app/mainwindow.cpp" line="682"/>
        <source>Waiting for the running jobs to finish…</source>
        <translation>Attente de la fin des tâches en cours…</translation>
    </message>
    <message>
        <location filename="../src/app/mainwindow.cpp" line="790"/>
        <source>The queue cannot be reached: waiting to hand the jobs back…</source>
        <translation>La file est injoignable : attente pour rendre les tâches…</translation>
    </message>
    <message>
        <location filename="../src/app/mainwindow.cpp" line="790"/>
        <source>The queue cannot be reached, so Spool cannot hand its running jobs back.</source>
        <translation>La file est injoignable : Spool ne peut pas rendre ses tâches en cours.</translation>
    </message>
    <message>
        <location filename="../src/app/mainwindow.cpp" line="790"/>
        <source>Quit anyway? The jobs go back to the queue when their leases expire, and continue where they were.</source>
        <translation>Quitter quand même ? Les tâches retournent dans la file à l’expiration de leurs baux et reprennent là où elles en étaient.</translation>
    </message>
    <message>
        <location filename="../src/app/mainwindow.cpp" line="790"/>
        <source>Quit Anyway</source>
        <translation>Quitter quand même</translation>
    </message>
    <message>
        <location filename="../src/app/mainwindow.cpp" line="790"/>
        <source>Keep Waiting</source>
        <translation>Continuer d’attendre</translation>
    </message>
</context>
<context>
    <name>spool::app::NewDownloadDialog</name>
    <message>
        <location filename="../src/app/newdownloaddialog.cpp" line="22"/>
        <source>Save Downloads In</source>
        <translation>Enregistrer les téléchargements dans</translation>
    </message>
    <message>
        <location filename="../src/app/newdownloaddialog.cpp" line="84"/>
        <source>Enter the address to download.</source>
        <translation>Saisissez l’adresse à télécharger.</translation>
    </message>
</context>
<context>
    <name>spool::app::NewPluginJobDialog</name>
    <message>
        <location filename="../src/app/newpluginjobdialog.cpp" line="24"/>
        <source>, legacy</source>
        <translation>, hérité</translation>
    </message>
    <message>
        <location filename="../src/app/newpluginjobdialog.cpp" line="88"/>
        <source>No plugin provides a job kind here (see Help → Plugins).</source>
        <translation>Aucun plugin ne fournit de type de tâche ici (voir Aide → Plugins).</translation>
    </message>
</context>
<context>
    <name>spool::app::NewRenderDialog</name>
    <message>
        <location filename="../src/app/newrenderdialog.cpp" line="29"/>
        <location filename="../src/app/newrenderdialog.cpp" line="166"/>
        <source>Frame the whole model</source>
        <translation>Cadrer tout le modèle</translation>
    </message>
    <message>
        <location filename="../src/app/newrenderdialog.cpp" line="40"/>
        <source>Render Model</source>
        <translation>Rendre un modèle</translation>
    </message>
    <message>
        <location filename="../src/app/newrenderdialog.cpp" line="41"/>
        <source>3D models (*.obj *.ply *.stl *.gltf *.glb *.fbx *.off *.dae *.3ds *.blend);;All files (*)</source>
        <translation>Modèles 3D (*.obj *.ply *.stl *.gltf *.glb *.fbx *.off *.dae *.3ds *.blend);;Tous les fichiers (*)</translation>
    </message>
    <message>
        <location filename="../src/app/newrenderdialog.cpp" line="51"/>
        <source>Save Render As</source>
        <translation>Enregistrer le rendu sous</translation>
    </message>
    <message>
        <location filename="../src/app/newrenderdialog.cpp" line="52"/>
        <source>PNG images (*.png)</source>
        <translation>Images PNG (*.png)</translation>
    </message>
    <message>
        <location filename="../src/app/newrenderdialog.cpp" line="168"/>
        <source>Camera “%1”</source>
        <translation>Caméra « %1 »</translation>
    </message>
    <message>
        <location filename="../src/app/newrenderdialog.cpp" line="197"/>
        <source>Choose a model file, or the built-in terrain.</source>
        <translation>Choisissez un fichier de modèle, ou le terrain intégré.</translation>
    </message>
    <message>
        <location filename="../src/app/newrenderdialog.cpp" line="199"/>
        <source>Choose where to save the picture.</source>
        <translation>Choisissez où enregistrer l’image.</translation>
    </message>
    <message>
        <location filename="../src/app/newrenderdialog.cpp" line="205"/>
        <source>This model cannot be read: %1</source>
        <translation>Ce modèle ne peut pas être lu : %1</translation>
    </message>
    <message>
        <location filename="../src/app/newrenderdialog.cpp" line="200"/>
        <source>one part per machine that runs the queue: %1 now</source>
        <translation>une partie par machine qui traite la file : %1 en ce moment</translation>
    </message>
    <message>
        <location filename="../src/app/newrenderdialog.cpp" line="201"/>
        <source>parts, for several machines of a shared queue</source>
        <translation>parties, pour plusieurs machines d’une file partagée</translation>
    </message>
    <message>
        <location filename="../src/app/newrenderdialog.cpp" line="210"/>
        <source>one part per machine that runs the queue (counting…)</source>
        <translation>une partie par machine qui traite la file (décompte…)</translation>
    </message>
    <message>
        <location filename="../src/app/newrenderdialog.cpp" line="210"/>
        <source>Counting the machines that run the queue…</source>
        <translation>Décompte des machines qui traitent la file…</translation>
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
        <translation>%1 est terminé</translation>
    </message>
    <message>
        <location filename="../src/app/notifier.cpp" line="36"/>
        <source>%1 failed: %2</source>
        <translation>%1 a échoué : %2</translation>
    </message>
    <message>
        <location filename="../src/app/notifier.cpp" line="43"/>
        <source>Job failed</source>
        <translation>Tâche échouée</translation>
    </message>
    <message>
        <location filename="../src/app/notifier.cpp" line="43"/>
        <source>Job done</source>
        <translation>Tâche terminée</translation>
    </message>
    <message>
        <location filename="../src/app/notifier.cpp" line="55"/>
        <source>Spool: %1 running, %2 queued</source>
        <translation>Spool : %1 en cours, %2 en attente</translation>
    </message>
</context>
<context>
    <name>spool::app::PluginsDialog</name>
    <message>
        <location filename="../src/app/pluginsdialog.cpp" line="61"/>
        <source>in parallel (thread-safe)</source>
        <translation>en parallèle (thread-safe)</translation>
    </message>
    <message>
        <location filename="../src/app/pluginsdialog.cpp" line="62"/>
        <source>under the GIL (legacy)</source>
        <translation>sous le GIL (hérité)</translation>
    </message>
    <message>
        <location filename="../src/app/pluginsdialog.cpp" line="63"/>
        <source>in worker processes (legacy)</source>
        <translation>dans des processus de travail (hérité)</translation>
    </message>
    <message>
        <location filename="../src/app/pluginsdialog.cpp" line="67"/>
        <source>in use</source>
        <translation>utilisé</translation>
    </message>
    <message>
        <location filename="../src/app/pluginsdialog.cpp" line="67"/>
        <source>refused: %1</source>
        <translation>refusé : %1</translation>
    </message>
    <message>
        <location filename="../src/app/pluginsdialog.cpp" line="74"/>
        <source>No plugins in %1</source>
        <translation>Aucun plugin dans %1</translation>
    </message>
    <message>
        <location filename="../src/app/pluginsdialog.cpp" line="92"/>
        <source>No legacy plugin job has run here yet.</source>
        <translation>Aucune tâche de plugin hérité n’a encore tourné ici.</translation>
    </message>
</context>
<context>
    <name>spool::app::SettingsDialog</name>
    <message>
        <location filename="../src/app/settingsdialog.cpp" line="45"/>
        <source>no limit</source>
        <translation>sans limite</translation>
    </message>
    <message>
        <location filename="../src/app/settingsdialog.cpp" line="58"/>
        <source>As chosen above</source>
        <translation>Comme choisi ci-dessus</translation>
    </message>
    <message>
        <location filename="../src/app/settingsdialog.cpp" line="58"/>
        <source>One at a time, inside Spool</source>
        <translation>Une à la fois, dans Spool</translation>
    </message>
    <message>
        <location filename="../src/app/settingsdialog.cpp" line="59"/>
        <source>Side by side, each in a helper process</source>
        <translation>Côte à côte, chacune dans un processus auxiliaire</translation>
    </message>
    <message>
        <location filename="../src/app/settingsdialog.cpp" line="101"/>
        <source>How many jobs run at the same time. More finishes a long queue sooner, but each job then shares the processor and the network with more others.</source>
        <translation>Combien de tâches s’exécutent en même temps. Plus termine une longue file plus tôt, mais chaque tâche partage alors le processeur et le réseau avec davantage d’autres.</translation>
    </message>
    <message>
        <location filename="../src/app/settingsdialog.cpp" line="104"/>
        <source>Low and Idle keep the desktop and Spool&apos;s own window quick while jobs run; Normal finishes jobs sooner when the computer is busy with other things.</source>
        <translation>Basse et Inactive gardent le bureau et la fenêtre de Spool réactifs pendant les tâches ; Normale termine les tâches plus tôt quand l’ordinateur est occupé à autre chose.</translation>
    </message>
    <message>
        <location filename="../src/app/settingsdialog.cpp" line="107"/>
        <source>How many downloads from one server run at once. Servers often slow down or refuse clients that open many connections.</source>
        <translation>Combien de téléchargements depuis un même serveur s’exécutent en même temps. Les serveurs ralentissent ou refusent souvent les clients qui ouvrent beaucoup de connexions.</translation>
    </message>
    <message>
        <location filename="../src/app/settingsdialog.cpp" line="172"/>
        <source>Succeeded, failed and canceled jobs older than this leave the list and the queue (checked every hour). Their output files stay where they are.</source>
        <translation>Les tâches réussies, échouées et annulées plus anciennes quittent la liste et la file (vérifié toutes les heures). Leurs fichiers de sortie restent où ils sont.</translation>
    </message>
    <message>
        <location filename="../src/app/settingsdialog.cpp" line="109"/>
        <source>Limit one kind of job, e.g. one render at a time while downloads go on beside it.</source>
        <translation>Limiter un type de tâche, p. ex. un rendu à la fois pendant que les téléchargements continuent à côté.</translation>
    </message>
    <message>
        <location filename="../src/app/settingsdialog.cpp" line="112"/>
        <source>Legacy plugins were not written to run several jobs at once. Inside Spool they take turns: light and quick to start, but a plugin that crashes takes Spool&apos;s running jobs with it. In helper processes they run side by side and a crash fails only its own job, at the cost of memory and start-up time.</source>
        <translation>Les anciens greffons ne savent pas exécuter plusieurs tâches à la fois. Dans Spool, ils se relaient : léger et rapide à démarrer, mais un greffon qui plante emporte les tâches en cours de Spool. Dans des processus auxiliaires, ils s’exécutent côte à côte et un plantage n’échoue que sa propre tâche, au prix de mémoire et de temps de démarrage.</translation>
    </message>
    <message>
        <location filename="../src/app/settingsdialog.cpp" line="82"/>
        <source>Downloads Go To</source>
        <translation>Téléchargements dans</translation>
    </message>
</context>
<context>
    <name>spool::app::format</name>
    <message>
        <source>yes</source>
        <translation>oui</translation>
    </message>
    <message>
        <source>no</source>
        <translation>non</translation>
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
        <translation>inconnu</translation>
    </message>
    <message>
        <location filename="../src/app/format.cpp" line="100"/>
        <source>Queued</source>
        <translation>En attente</translation>
    </message>
    <message>
        <location filename="../src/app/format.cpp" line="102"/>
        <source>Running</source>
        <translation>En cours</translation>
    </message>
    <message>
        <location filename="../src/app/format.cpp" line="104"/>
        <source>Paused</source>
        <translation>Suspendue</translation>
    </message>
    <message>
        <location filename="../src/app/format.cpp" line="106"/>
        <source>Done</source>
        <translation>Terminé</translation>
    </message>
    <message>
        <location filename="../src/app/format.cpp" line="108"/>
        <source>Failed</source>
        <translation>Échouée</translation>
    </message>
    <message>
        <location filename="../src/app/format.cpp" line="110"/>
        <source>Canceled</source>
        <translation>Annulée</translation>
    </message>
    <message>
        <location filename="../src/app/format.cpp" line="128"/>
        <source>Pausing</source>
        <translation>Suspension</translation>
    </message>
    <message>
        <location filename="../src/app/format.cpp" line="130"/>
        <source>Canceling</source>
        <translation>Annulation</translation>
    </message>
    <message>
        <location filename="../src/app/format.cpp" line="132"/>
        <source>Removing</source>
        <translation>Retrait</translation>
    </message>
    <message>
        <location filename="../src/app/format.cpp" line="136"/>
        <source>Retrying at %1</source>
        <translation>Nouvel essai à %1</translation>
    </message>
</context>
</TS>
