# What a user may type into a date or a time field, in every language of the app (issue 19):
# the Finnish way (22.11.2026, 1.12.26, 14:00, 9.00, 9), and ISO dates (2026-11-22) that other
# systems and links send. Never 12/03/2026: in an English browser it means 3 December, in a
# Finnish one nothing – a slash date is refused with a message that shows the expected format.
# The first format of each list is the one Django writes into a hidden or admin field.
DATE_INPUT_FORMATS = ["%d.%m.%Y", "%d.%m.%y", "%Y-%m-%d"]
TIME_INPUT_FORMATS = ["%H:%M", "%H.%M", "%H:%M:%S", "%H"]
