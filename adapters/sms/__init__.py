"""SMS: residents reached one by one by text message, through the SMS Gateway for Android
(the town hall's phone and SIM, or its cloud relay). ``address`` is the ``sms`` address kind
(E.164 numbers in the address book), ``factory`` the light entry point, ``adapter`` the rest.
"""
