"""Word lists for invented people, companies, domains and workspaces.

Company names are built from two invented-sounding words (``acme-robotics.com``,
``northwind-analytics.co.uk``); none is meant to be a real, well-known brand. Personal
mail domains are the common free-mail providers a real product sees.
"""

from __future__ import annotations

FIRST_NAMES: tuple[str, ...] = (
    "Aaron", "Abigail", "Adam", "Aisha", "Alejandro", "Alice", "Amara", "Amelia", "Ana",
    "Andrei", "Anika", "Arjun", "Ben", "Bianca", "Carlos", "Chen", "Chloe", "Daniel",
    "Dmitri", "Elena", "Emeka", "Emily", "Ethan", "Fatima", "Felix", "Freya", "Gabriel",
    "Grace", "Hana", "Hannah", "Hiroshi", "Ines", "Isaac", "Ivan", "Jack", "Jane", "Javier",
    "Jin", "Joao", "Jonas", "Julia", "Kai", "Karim", "Kenji", "Laura", "Leila", "Leo",
    "Liam", "Lucia", "Maria", "Mateo", "Maya", "Mei", "Mohammed", "Nadia", "Noah", "Nora",
    "Olga", "Omar", "Oscar", "Priya", "Rafael", "Rahul", "Rosa", "Ruth", "Sam", "Sara",
    "Sofia", "Tariq", "Thomas", "Tom", "Valentina", "Victor", "Wei", "Yara", "Yuki", "Zoe",
)  # fmt: skip

LAST_NAMES: tuple[str, ...] = (
    "Abara", "Adams", "Alvarez", "Andersen", "Baker", "Banerjee", "Bauer", "Becker",
    "Bianchi", "Brooks", "Campbell", "Chen", "Costa", "Da Silva", "Dubois", "Doe",
    "Eriksson", "Evans", "Fernandes", "Fischer", "Garcia", "Gupta", "Hall", "Hansen",
    "Hernandez", "Hoffmann", "Hughes", "Ito", "Jansen", "Johnson", "Kato", "Khan", "Kim",
    "Kowalski", "Kumar", "Larsen", "Lee", "Lopez", "Martin", "Meyer", "Moreau", "Muller",
    "Nakamura", "Nguyen", "Novak", "Okafor", "Oliveira", "Park", "Patel", "Petrov",
    "Pereira", "Quinn", "Reyes", "Rossi", "Sato", "Schmidt", "Silva", "Singh", "Smith",
    "Suzuki", "Tanaka", "Taylor", "Torres", "Van Dijk", "Vasquez", "Wagner", "Walsh",
    "Wang", "Weber", "Williams", "Wilson", "Yamamoto", "Zhang",
)  # fmt: skip

COMPANY_WORDS: tuple[str, ...] = (
    "acme", "alder", "amberly", "bluefin", "brindle", "brightforge", "cedarpeak",
    "cobaltline", "copperleaf", "driftwood", "dunmore", "emberlight", "fernhill",
    "flintrock", "glimmer", "granitefall", "harborline", "hearthstone", "hollowbrook",
    "indigomoss", "ironbark", "jasperfield", "juniper", "kestrel", "keelwater", "larkspur",
    "latticework", "meridale", "mosaicly", "nettlefield", "northwind", "nimbusway",
    "oakhaven", "opaline", "orchardly", "pebblecreek", "pinecrest", "prairiefox",
    "quarrymoor", "quillon", "rivetworks", "rookwood", "saffronly", "sablecrest",
    "silverlake", "thistledown", "tidewater", "tundralight", "uplandia", "vantagefold",
    "vireo", "willowmere", "wrenfield", "yarrowby", "zephyrine", "bramblecott", "coralbay",
    "duskmere", "everbloom", "foxglen", "gullwing", "heronsgate", "islebrook", "kinloch",
)  # fmt: skip

COMPANY_SUFFIXES: tuple[str, ...] = (
    "robotics", "analytics", "labs", "logistics", "health", "foods", "capital", "systems",
    "bio", "energy", "studio", "works", "data", "cloud", "security", "media", "retail",
    "freight", "dynamics", "partners", "games", "software", "instruments", "pharma",
    "learning", "legal", "finance", "insurance", "motors", "textiles",
)  # fmt: skip

#: (public suffix, weight, typical UTC offsets in minutes for companies there)
COMPANY_SUFFIX_TLDS: tuple[tuple[str, int, tuple[int, ...]], ...] = (
    ("com", 46, (-300, -360, -420, -480, 0, 60)),
    ("io", 9, (-300, -480, 0, 60, 120)),
    ("co.uk", 11, (0, 60)),
    ("de", 6, (60, 120)),
    ("com.au", 5, (600, 570, 480)),
    ("co.jp", 3, (540,)),
    ("com.br", 4, (-180,)),
    ("fr", 3, (60, 120)),
    ("nl", 2, (60, 120)),
    ("ai", 3, (-480, -300, 60)),
    ("ca", 3, (-300, -480)),
    ("co", 2, (-300, 60)),
    ("in", 3, (330,)),
)

EDU_WORDS: tuple[str, ...] = (
    "northfield", "eastmoor", "west-arden", "kingsbridge", "lakeshore", "redmarsh",
    "southvale", "highcliff",
)  # fmt: skip

#: (pattern for an education domain, UTC offset in minutes)
EDU_PATTERNS: tuple[tuple[str, int], ...] = (
    ("{word}-state.edu", -300),
    ("{word}.edu", -360),
    ("{word}.ac.uk", 0),
    ("uni-{word}.ac.uk", 0),
)

COMPANY_SUBDOMAINS: tuple[str, ...] = (
    "eng", "london", "data", "ops", "us", "emea", "research", "sales", "berlin", "corp",
)  # fmt: skip

EDU_SUBDOMAINS: tuple[str, ...] = ("cs", "students", "eng", "physics", "med")

#: Free / personal mail providers, with relative weights.
PERSONAL_DOMAINS: tuple[tuple[str, int], ...] = (
    ("gmail.com", 50),
    ("outlook.com", 10),
    ("hotmail.com", 8),
    ("yahoo.com", 6),
    ("yahoo.co.uk", 3),
    ("icloud.com", 7),
    ("proton.me", 4),
    ("protonmail.com", 2),
    ("live.com", 2),
    ("gmx.de", 3),
    ("aol.com", 1),
    ("hotmail.co.uk", 2),
    ("me.com", 2),
)

#: The product company's own domain: its employees dogfood the product.
INTERNAL_DOMAIN = "pqlproduct.io"

TEAM_NAMES: tuple[str, ...] = (
    "Data", "Platform", "Marketing", "Design", "Ops", "Finance", "Growth", "Research",
    "Mobile", "Infra", "Sales", "Support", "Product", "Security",
)  # fmt: skip

INTERNAL_WORKSPACES: tuple[str, ...] = ("PQL Product QA", "PQL Demo Workspace", "PQL Dogfood")

PERSONAL_WORKSPACE_NAMES: tuple[str, ...] = (
    "{first}'s workspace", "Side project", "Personal", "{first} {last}", "My notes",
    "Freelance clients", "Thesis",
)  # fmt: skip

INTEGRATIONS: tuple[str, ...] = ("slack", "github", "gdrive", "jira", "figma", "salesforce")

PLATFORMS: tuple[tuple[str, int], ...] = (("web", 70), ("desktop", 20), ("mobile", 10))

#: Timestamp offsets (minutes) used for client-local timestamps of UTC companies.
FALLBACK_OFFSETS: tuple[int, ...] = (120, -300, 60, -480, 330, 540)
