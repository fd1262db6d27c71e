# The youth languages show dates and times as Finnish services do (22.11.2026, 14:00): the
# young people live in Finland and their other papers show them so (kelayhteistyo/youth.py).
from kelayhteistyo.formats.en.formats import *  # noqa: F403
