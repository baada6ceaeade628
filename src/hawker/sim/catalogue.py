"""What the demo sells and who sells it: fixed, realistic seed data."""

from __future__ import annotations

PASSWORD = "hawker-demo"

MERCHANTS = [
    {"email": "aurora@demo.hawker.dev", "name": "Aurora Beauty"},
    {"email": "kite@demo.hawker.dev", "name": "Kite Outfitters"},
]

# (merchant index, title, description, image, category, [(sku name, price minor, stock)])
PRODUCTS = [
    (
        0,
        "Velvet Matte Lipstick",
        "Long-wear matte colour that stays put through a 3-hour show.",
        "lipstick",
        [("Ruby", 1900, 400), ("Rosewood", 1900, 300), ("Coral", 1900, 250)],
    ),
    (
        0,
        "Glow Vitamin C Serum",
        "30 ml brightening serum with 15% vitamin C.",
        "serum",
        [("30 ml", 3400, 500)],
    ),
    (
        1,
        "Cloudstep Runner",
        "Featherweight daily trainer with a responsive foam sole.",
        "sneaker",
        [("EU 40", 8900, 60), ("EU 42", 8900, 80), ("EU 44", 8900, 60)],
    ),
    (
        1,
        "Studio ANC Headphones",
        "Noise-cancelling over-ears with 40 h battery.",
        "headphones",
        [("Sunset", 12900, 150), ("Graphite", 12900, 150)],
    ),
    (
        1,
        "Everyday Hoodie",
        "Heavyweight brushed cotton, relaxed fit.",
        "hoodie",
        [("S", 4500, 120), ("M", 4500, 200), ("L", 4500, 160)],
    ),
    (
        1,
        "Trail Backpack 22L",
        "Water-resistant daypack with a laptop sleeve.",
        "backpack",
        [("One size", 5900, 140)],
    ),
    (
        0,
        "Morning Ritual Mug",
        "Stoneware mug, 350 ml, dishwasher safe.",
        "mug",
        [("Jade", 1500, 300)],
    ),
    (
        1,
        "Pulse Smartwatch",
        "Heart rate, GPS and a week of battery.",
        "watch",
        [("Midnight", 15900, 90)],
    ),
]

HOSTS = [
    {"email": "mia@demo.hawker.dev", "name": "Mia Chen", "avatar": "avatar-mia"},
    {"email": "leo@demo.hawker.dev", "name": "Leo Park", "avatar": "avatar-leo"},
    {"email": "ana@demo.hawker.dev", "name": "Ana Ruiz", "avatar": "avatar-ana"},
]

CATEGORIES = [("beauty", "Beauty"), ("sports", "Sports"), ("tech", "Tech"), ("home", "Home")]

# (bio, category slugs) for each of HOSTS, in order
HOST_PROFILES = [
    (
        "Beauty drops every Friday night: swatches in daylight, honest reviews, and flash "
        "deals you will not find anywhere else.",
        ["beauty", "home"],
    ),
    (
        "Runner and gadget tinkerer. I test the gear on the track before I sell it.\n"
        "Tech Tuesdays and running season specials.",
        ["sports", "tech"],
    ),
    ("Cosy home picks under $20, from my flat in Valencia.", ["home"]),
]

# (host index, title, cover, hours from now (None = live now), product indexes)
SHOWS = [
    (0, "Glow-up Friday: beauty drops & flash deals", "cover-beauty", None, [0, 1, 6, 4, 3]),
    (1, "Gear up: running season kick-off", "cover-sports", 1.5, [2, 5, 7]),
    (2, "Cosy home picks under $20", "cover-home", 4.0, [6, 4, 1]),
    (1, "Tech Tuesday unboxing", "cover-tech", 26.0, [3, 7]),
]

CHAT_LINES = [
    "hi from Lisbon!",
    "that colour is gorgeous",
    "does it come in a bigger size?",
    "just bought one!",
    "is shipping free?",
    "how long does the battery last?",
    "love this show",
    "can you show it in daylight?",
    "deal please!!",
    "what's the return policy?",
    "first time here, hello",
    "my sister needs this",
    "the ruby one please",
    "wow that price",
    "added to cart",
    "is it vegan?",
    "any discount codes?",
    "this is fire",
    "so soft!",
    "waiting for the deal",
]

SHOPPER_NAMES = [
    "Ava",
    "Noah",
    "Lina",
    "Kai",
    "Zoe",
    "Omar",
    "Ivy",
    "Ravi",
    "Mei",
    "Theo",
    "Sara",
    "Jun",
    "Nia",
    "Leon",
    "Yuki",
    "Elif",
]

# The demo's replay: a short show streamed at start-up with these products pinned in turn.
REPLAY_SHOW = (2, "Cosy home haul: the replay", "cover-home", [6, 4])
