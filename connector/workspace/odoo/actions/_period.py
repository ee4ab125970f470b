def is_period(text):
    # A month YYYY-MM, month 01-12: the rule of mappings/period.ts (PERIOD_PATTERN), without `re`.
    if not isinstance(text, str) or len(text) != 7 or text[4] != '-':
        return False
    if not all(c in '0123456789' for c in text[:4] + text[5:]):
        return False
    return 1 <= int(text[5:]) <= 12
