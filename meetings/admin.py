# Joint meetings are handled in the app, where every access is logged.
