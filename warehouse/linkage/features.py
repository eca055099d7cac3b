"""Comparison features of employer records: the one place names and addresses are normalised.

Input: records as `int_employer_records` holds them (names and addresses as published). Output,
per record: a name key (legal forms, punctuation, '&'/'and', common abbreviations and the DBA part
normalised away; the raw name is kept beside it), the DBA / trade name key, a word-order-free key,
a street key (street-type words and directions abbreviated one way, suite numbers dropped), the
street number, city key, state, ZIP5, ZIP3, phone digits, FEIN and NAICS prefixes. Everything is
SQL run by DuckDB on the linkage's own in-memory connection.
"""

from __future__ import annotations

# Written both ways in the files: the long form is the key's form.
NAME_WORDS = {
    "BROS": "BROTHERS",
    "BRO": "BROTHERS",
    "FMS": "FARMS",
    "FM": "FARM",
    "SVCS": "SERVICES",
    "SVC": "SERVICE",
    "SERV": "SERVICES",
    "HARV": "HARVESTING",
    "CONTR": "CONTRACTOR",
    "CONTRACTORS": "CONTRACTOR",
    "ASSN": "ASSOCIATION",
    "ASSOC": "ASSOCIATION",
    "INTL": "INTERNATIONAL",
    "MGMT": "MANAGEMENT",
    "NURS": "NURSERY",
    "ORCH": "ORCHARDS",
    "ORCHARD": "ORCHARDS",
    "FARM": "FARMS",
    "GREENHOUSE": "GREENHOUSES",
    "VINEYARD": "VINEYARDS",
    "GROWER": "GROWERS",
    "RANCHES": "RANCH",
    "MT": "MOUNT",
    "ST": "SAINT",
}
# Legal forms and filler words: not part of who the employer is.
NAME_NOISE = frozenset(
    """INC INCORPORATED LLC LLP LP LTD LIMITED CO COMPANY CORP CORPORATION PC PLLC PA THE OF AND
    PARTNERSHIP GP LC""".split()
)
STREET_WORDS = {
    "ROAD": "RD",
    "STREET": "ST",
    "AVENUE": "AVE",
    "AV": "AVE",
    "HIGHWAY": "HWY",
    "LANE": "LN",
    "DRIVE": "DR",
    "BOULEVARD": "BLVD",
    "COURT": "CT",
    "PLACE": "PL",
    "PARKWAY": "PKWY",
    "CIRCLE": "CIR",
    "TRAIL": "TRL",
    "NORTH": "N",
    "SOUTH": "S",
    "EAST": "E",
    "WEST": "W",
    "ROUTE": "RT",
    "RTE": "RT",
    "COUNTY": "CO",
    "CR": "CO RD",
}
# Canadian provinces as FY2006-FY2007 H-2A files spell them (US states are mapped when the files are parsed).
PROVINCES = {
    "ALBERTA": "AB",
    "BRITISH COLUMBIA": "BC",
    "MANITOBA": "MB",
    "NEW BRUNSWICK": "NB",
    "NOVA SCOTIA": "NS",
    "ONTARIO": "ON",
    "QUEBEC": "QC",
    "SASKATCHEWAN": "SK",
}
# Words after which the rest of the street line is a unit, not the address.
UNIT_WORDS = ("SUITE", "STE", "UNIT", "APT", "BLDG", "ROOM", "RM")
# Published separators of a second name: "X dba Y", "X d/b/a Y", "X a/k/a Y", "X t/a Y".
DBA_PATTERN = r"\s+(?:D\s*B\s*A|A\s*K\s*A|T\s*A|F\s*K\s*A)\s+"


def _case_map(variable: str, mapping: dict[str, str]) -> str:
    whens = " ".join(f"WHEN '{short}' THEN '{long}'" for short, long in mapping.items())
    return f"CASE {variable} {whens} ELSE {variable} END"


def _words(text: str) -> str:
    """Upper case without accents ('Núñez' is NUNEZ), '&'/'+' as AND, apostrophes dropped, any other
    punctuation a space."""
    text = f"upper(strip_accents(coalesce({text}, '')))"
    text = f"replace(replace(replace({text}, '&', ' AND '), '+', ' AND '), '''', '')"
    return f"trim(regexp_replace({text}, '[^A-Z0-9]+', ' ', 'g'))"


def _initials_joined(words: str) -> str:
    """'L L C' (from 'L.L.C.') -> 'LLC', 'J R SMITH' -> 'JR SMITH': single letters in a row are one word."""
    three = f"regexp_replace({words}, '\\b([A-Z]) ([A-Z]) ([A-Z])\\b', '\\1\\2\\3', 'g')"
    return f"regexp_replace({three}, '\\b([A-Z]) ([A-Z])\\b', '\\1\\2', 'g')"


def _name_key(words: str) -> str:
    """Words mapped to one spelling, legal forms and filler dropped (kept if nothing else is left)."""
    noise = ", ".join(f"'{w}'" for w in sorted(NAME_NOISE))
    words = _initials_joined(words)
    mapped = f"list_transform(string_split({words}, ' '), lambda w: {_case_map('w', NAME_WORDS)})"
    kept = f"list_filter({mapped}, lambda w: w <> '' AND w NOT IN ({noise}))"
    return f"nullif(CASE WHEN len({kept}) > 0 THEN array_to_string({kept}, ' ') ELSE {words} END, '')"


def _street_key(text: str) -> str:
    words = _words(text)
    units = "|".join(UNIT_WORDS)
    no_unit = f"trim(regexp_replace({words}, '\\s(?:{units})\\s+\\S+.*$', ''))"
    po_box = f"regexp_replace({no_unit}, '\\bP\\s?O\\s+BOX\\b|\\bPOST OFFICE BOX\\b', 'POBOX', 'g')"
    mapped = f"list_transform(string_split({po_box}, ' '), lambda w: {_case_map('w', STREET_WORDS)})"
    return f"nullif(array_to_string({mapped}, ' '), '')"


def features_sql(records: str) -> str:
    """SELECT of the comparison features of every row of the `records` relation."""
    words = _words("employer_name")
    primary = f"trim(regexp_split_to_array({words}, '{DBA_PATTERN}')[1])"
    dba = f"trim(regexp_split_to_array({words}, '{DBA_PATTERN}')[2])"
    alternate = _words("alternate_name")
    return f"""
    WITH named AS (
        SELECT *,
            {_name_key(primary)} AS name_key,
            coalesce({_name_key(dba)}, {_name_key(alternate)}) AS alt_key_raw,
            {_street_key("street_address")} AS street_key
        FROM {records}
    )
    SELECT
        source || ':' || record_id AS record_key,
        source, record_id, role, employer_name, alternate_name, record_date,
        name_key,
        CASE WHEN alt_key_raw IS DISTINCT FROM name_key THEN alt_key_raw END AS alt_key,
        nullif(array_to_string(list_sort(list_filter(string_split(name_key, ' '), lambda w: length(w) > 1)), ' '), '')
            AS sorted_key,
        split_part(name_key, ' ', 1) AS first_token,
        left(name_key, 1) AS first_initial,
        string_split(name_key, ' ')[-1] AS last_token,
        coalesce(nullif(regexp_extract(name_key, '^(.+) \\S+$', 1), ''), name_key) AS name_head,
        coalesce(nullif(regexp_extract(name_key, '^\\S+ (.+)$', 1), ''), name_key) AS name_tail,
        -- The head's letters in order: "FXO" / "FOX", a typo that swaps two letters of a short word, which
        -- Jaro-Winkler scores low (it matches letters of a 3-letter word only in place).
        array_to_string(list_sort(string_split(replace(name_head, ' ', ''), '')), '') AS name_head_letters,
        street_key,
        nullif(regexp_extract(street_key, '^([0-9]+)\\b', 1), '') AS street_number,
        nullif(regexp_extract(street_key, '^([0-9]+ (?:[NSEW] )?[A-Z0-9]{{2,}})\\b', 1), '') AS street_head,
        array_to_string(list_sort(string_split(street_key, ' ')), ' ') AS street_words,
        nullif({_words("city")}, '') AS city_key,
        nullif({_case_map("upper(trim(state_code))", PROVINCES)}, '') AS state,
        nullif(regexp_extract(trim(zip_code), '^([0-9]{{5}})', 1), '') AS zip5,
        nullif(regexp_extract(trim(zip_code), '^([0-9]{{3}})', 1), '') AS zip3,
        CASE WHEN length(regexp_replace(coalesce(phone, ''), '[^0-9]', '', 'g')) >= 10
             THEN right(regexp_replace(phone, '[^0-9]', '', 'g'), 10) END AS phone_digits,
        nullif(regexp_replace(coalesce(fein, ''), '[^0-9]', '', 'g'), '') AS fein_digits,
        nullif(left(regexp_replace(coalesce(naics_code, ''), '[^0-9]', '', 'g'), 4), '') AS naics4,
        nullif(left(regexp_replace(coalesce(naics_code, ''), '[^0-9]', '', 'g'), 2), '') AS naics2,
        -- Older files write the agent's firm after the name in one field ('ELIZABETH D. WHITLEY / MAS LABOR
        -- H2A, LLC', 'RON KATIRAEI - LAW OFFICES OF RON KATIRAEI'): the key's first two words are the person.
        nullif(array_to_string(string_split(trim(agent_key), ' ')[1:2], ' '), '') AS agent_key
    FROM named
    """


# The features that decide how two records compare: records equal on all of them are one profile.
PROFILE_COLUMNS = (
    "name_key",
    "alt_key",
    "sorted_key",
    "first_token",
    "first_initial",
    "last_token",
    "name_head",
    "name_head_letters",
    "name_tail",
    "street_key",
    "street_number",
    "street_head",
    "street_words",
    "city_key",
    "state",
    "zip5",
    "zip3",
    "phone_digits",
    "fein_digits",
    "naics4",
    "naics2",
    "agent_key",
    "name_rarity",
    "name_states",
    "distinctive_key",
    "distinctive_state",
    "phone_block",
    "name_block",
    "sorted_block",
    "alt_block",
    "town_first_block",
    "town_last_block",
)


# A name is distinctive when its rarest word occurs in no other distinct name of the data.
RARE_NAME_WORD = 1
# A blocking key found with more distinct names than this identifies no employer: it blocks no pairs (docs/linkage.md,
# "Blocks and incremental linkage"); the columns behind it are still compared in pairs other rules block. The real
# H-2A files: the North Carolina Growers Association's phone with 740 member names. The scale-10 sample: the trade
# name "SUNRISE FARMS" of hundreds of names in every state, a town with hundreds of names ending in "FARMS".
BLOCK_MAX_NAMES = 25
# A name found in more states than this ("SMITH FARMS") blocks pairs within a state only: in the scale-10 sample such
# names made 21M of the 22M name-block pairs of two different employers. A name in a few states still blocks across
# them (an employer that moved).
BLOCK_MAX_STATES = 3


def with_name_rarity(features: str) -> str:
    """SELECT of `features` plus name_rarity: in how many distinct names (word sets) the name's rarest
    word of two letters or more occurs; and name_states: in how many states the name occurs.

    A name whose rarest word appears in no other name ("SELBY HONEY") identifies an employer even in
    another state; a surname and "FARMS" ("SMITH FARMS") does not. A name found in one state only ("PURE
    SOCCER", NJ) is one employer there even at a new address, where "SMITH FARMS", in many states, says
    little: a term-frequency adjustment of names by places, not by records (a moving employer's own
    records would count against it). And the keys that block pairs: name_block and sorted_block (the name, or
    the name and state when the name is found in more than BLOCK_MAX_STATES states), and, each NULL where more
    than BLOCK_MAX_NAMES distinct names share it, phone_block (the phone), alt_block (the trade name),
    town_first_block and town_last_block (the name's first or last word, within its state and city).
    """
    return f"""
    WITH names AS (SELECT DISTINCT sorted_key FROM {features} WHERE sorted_key IS NOT NULL),
    words AS (
        SELECT word, count(*) AS names_with_word
        FROM names, unnest(string_split(sorted_key, ' ')) AS u(word)
        GROUP BY word
    ),
    rarity AS (
        SELECT names.sorted_key, min(words.names_with_word) AS name_rarity
        FROM names, unnest(string_split(names.sorted_key, ' ')) AS u(word)
        JOIN words USING (word) GROUP BY names.sorted_key
    ),
    {_distinct_per(features, "name_key", "state", "spread", "name_states")},
    {_distinct_per(features, "sorted_key", "state", "sorted_spread", "sorted_states")},
    {_distinct_per(features, "phone_digits", "name_key", "phones", "names")},
    {_distinct_per(features, "alt_key", "name_key", "trade_names", "names")},
    {_distinct_per(features, "state, city_key, first_token", "name_key", "town_first_words", "names")},
    {_distinct_per(features, "state, city_key, last_token", "name_key", "town_last_words", "names")}
    SELECT {features}.*, rarity.name_rarity, spread.name_states,
        {_unless_shared("phones", f"{features}.phone_digits")} AS phone_block,
        {_within_state_if_spread("spread.name_states", f"{features}.name_key", features)} AS name_block,
        {_within_state_if_spread("sorted_spread.sorted_states", f"{features}.sorted_key", features)} AS sorted_block,
        {_unless_shared("trade_names", f"{features}.alt_key")} AS alt_block,
        {_unless_shared("town_first_words", f"{features}.first_token")} AS town_first_block,
        {_unless_shared("town_last_words", f"{features}.last_token")} AS town_last_block,
        CASE WHEN rarity.name_rarity <= {RARE_NAME_WORD} THEN {features}.sorted_key END AS distinctive_key,
        CASE WHEN rarity.name_rarity <= {RARE_NAME_WORD} THEN {features}.state END AS distinctive_state
    FROM {features} LEFT JOIN rarity USING (sorted_key) LEFT JOIN spread USING (name_key)
        LEFT JOIN sorted_spread USING (sorted_key)
        LEFT JOIN phones USING (phone_digits) LEFT JOIN trade_names USING (alt_key)
        LEFT JOIN town_first_words USING (state, city_key, first_token)
        LEFT JOIN town_last_words USING (state, city_key, last_token)
    """


def _distinct_per(features: str, key: str, counted: str, name: str, column: str) -> str:
    """CTE `name`: per value of the `key` columns (none NULL), `column`, the distinct values of `counted` found
    with it (the names sharing a phone, the states of a name)."""
    not_null = " AND ".join(f"{part.strip()} IS NOT NULL" for part in key.split(","))
    return f"""{name} AS (
        SELECT {key}, count(DISTINCT {counted}) AS {column} FROM {features} WHERE {not_null} GROUP BY {key}
    )"""


def _within_state_if_spread(states: str, key: str, features: str) -> str:
    within_state = f"{key} || ' | ' || coalesce({features}.state, '')"
    return f"CASE WHEN {states} <= {BLOCK_MAX_STATES} THEN {key} ELSE {within_state} END"


def _unless_shared(sharing: str, value: str) -> str:
    return f"CASE WHEN {sharing}.names <= {BLOCK_MAX_NAMES} THEN {value} END"
