# Young people's records are handled in the app, where every access is logged; the admin
# deliberately does not list them.
