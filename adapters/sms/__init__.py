"""SMS: residents reached one by one by text message. Only the ``sms`` address kind is here
yet (phone numbers are accepted into the address book before the adapter exists)."""
