/** App settings as the platform hands them to the app (process.env in Azure; local.settings.json `Values` locally). */
export type AppSettings = Readonly<Record<string, string | undefined>>;
