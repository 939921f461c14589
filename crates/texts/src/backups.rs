//! Backup page.

macro_rules! backups {
    ($next:ident $(, $rest:ident)* ; $($acc:tt)*) => { $next! { $($rest),* ; $($acc)*
        BackupsTitle "backups.title" => "Datensicherung", "Backups";
        BackupsLink "backups.link" =>
            "Datensicherung: Zeitplan, Ziele, letzte Sicherungen",
            "Backups: schedule, targets, latest runs";
        BackupsNotConfigured "backups.not_configured" =>
            "Für diese Installation sind keine Sicherungen eingerichtet. Kontor sichert Datenbank und Dateien selbst, sobald beim Start ein öffentlicher Schlüssel und mindestens ein Ziel (zweite Platte, NFS, S3) angegeben sind:",
            "No backups are set up for this installation. Kontor backs up the database and every file itself once it is started with a public key and at least one target (second disk, NFS, S3):";
        BackupsDocs "backups.docs" =>
            "Einzelheiten, Wiederherstellung und Aufbewahrung: docs/backup.md.",
            "Details, restoring and retention: docs/backup.md.";
        BackupsHosted "backups.hosted" =>
            "Ihre Daten und Dateien sichert der Betreiber dieser Installation, zusammen mit allen anderen Mandanten, aber für jeden getrennt; eine Wiederherstellung beauftragen Sie bei ihm.",
            "The operator of this installation backs up your data and files, together with every other tenant but separately for each; ask them for a restore.";
        BackupsSchedule "backups.schedule" => "Sicherung alle", "Backup every";
        BackupsKeep "backups.keep" => "Aufbewahrung", "Kept for";
        BackupsDays "backups.days" => "Tage", "days";
        BackupsRunNow "backups.run_now" => "Jetzt sichern", "Back up now";
        BackupsStarted "backups.started" =>
            "Die Sicherung läuft; ihr Ergebnis erscheint in der Liste.",
            "The backup is running; its result appears in the list.";
        BackupsRuns "backups.runs" => "Letzte Sicherungen", "Latest backups";
        BackupsNone "backups.none" => "Noch keine Sicherung.", "No backup yet.";
        BackupsStartedAt "backups.started_at" => "Begonnen", "Started";
        BackupsResult "backups.result" => "Ergebnis", "Result";
        BackupsSize "backups.size" => "Größe je Ziel", "Size per target";
        BackupsTargets "backups.targets" => "Ziele", "Targets";
        BackupsResultOk "backups.result.ok" => "vollständig", "complete";
        BackupsResultPartial "backups.result.partial" =>
            "teilweise (ein Ziel fehlt)",
            "partial (a target failed)";
        BackupsResultFailed "backups.result.failed" => "fehlgeschlagen", "failed";
        BackupsResultRunning "backups.result.running" => "läuft", "running";
        BackupsDeleted "backups.deleted" =>
            "danach gelöscht (älter als die Aufbewahrungsfrist)",
            "deleted after it (older than the retention period)";
        BackupsRecordsUnreadable "backups.records_unreadable" =>
            "Die Aufzeichnungen der Sicherungen können gerade nicht gelesen werden.",
            "The backup records cannot be read right now.";
    } };
}
