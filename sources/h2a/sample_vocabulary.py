"""The words the H-2A sample draws from: jobs, outcomes and their shares, names, law firms, counties,
towns, wages. Data only."""

from __future__ import annotations

# Hourly / weekly / monthly offers: (FY2008 level, yearly rise, spread), roughly the AEWR and range wages.
WAGES = {"hour": (9.0, 0.45, 0.8), "week": (420.0, 15.0, 30.0), "month": (750.0, 70.0, 40.0)}

# (weight, SOC code, SOC title as published (truncated), job titles, crops, pay unit)
JOBS = [
    (
        0.80,
        "45-2092",
        "Farmworkers and Laborers, Crop, Nursery, and",
        ["FARMWORKER", "Farm Worker", "FARMWORKERS AND LABORERS, CROP", "General Farm Laborer", "Crop Harvester"],
        [
            "Tobacco",
            "Apples",
            "Strawberries",
            "Blueberries",
            "Vegetables",
            "Citrus",
            "Sweet Potatoes",
            "Onions",
            "Watermelons",
            "Nursery",
            "General Farm Labor",
            "Cherries",
            "Peaches",
            "Grapes",
        ],
        "hour",
    ),
    (
        0.08,
        "45-2093",
        "Farmworkers, Farm, Ranch, and Aquacultural Animals",
        ["Sheepherder", "Range Livestock Worker", "FARMWORKERS, FARM AND RANCH ANIMALS"],
        ["Sheepherder", "Range Cattle", "Goatherder"],
        "month",
    ),
    (
        0.07,
        "45-2091",
        "Agricultural Equipment Operators",
        ["Custom Combine Operator", "Agricultural Equipment Operator", "Tractor Driver"],
        ["Grain", "Hay", "Custom Combine", "Corn"],
        "hour",
    ),
    (
        0.05,
        "45-2093",
        "Farmworkers, Farm, Ranch, and Aquacultural Animals",
        ["Dairy Worker", "Livestock Worker", "Crawfish Laborer"],
        ["Dairy", "Crawfish", "Cattle", "Hogs"],
        "week",
    ),
]

OUTCOMES = (("full", 0.86), ("partial", 0.06), ("denied", 0.03), ("withdrawn", 0.05))

NATURE = ["Seasonal"] * 14 + ["Peakload", "One-Time Occurrence", "Intermittent or Other Temporary Need"]

FIRST_NAMES = (
    "Maria",
    "Jose",
    "Juan",
    "Ana",
    "Luis",
    "Carmen",
    "John",
    "Mary",
    "Robert",
    "Linda",
    "David",
    "Susan",
    "James",
    "Karen",
    "Betsy",
    "Kelly",
)

LAST_NAMES = (
    "Rowe",
    "Parkin",
    "Broussard",
    "Alvarez",
    "Tran",
    "Keller",
    "Ortiz",
    "Brennan",
    "Hughes",
    "Santos",
    "Meyer",
    "Castillo",
)

LAWFIRMS = [
    "Snake River Farmers Association Inc",
    "Farm Labor Services LLC",
    "Agri Visa Consultants",
    "Harvest Law Group PC",
    "MAS Labor H2A LLC",
    "Growers Legal Services",
    "Valley Immigration Law",
]

COUNTIES = (
    "Kern",
    "Fresno",
    "Yakima",
    "Grant",
    "Collier",
    "Lee",
    "Hidalgo",
    "Tulare",
    "Monterey",
    "Sampson",
    "Wake",
    "Okanogan",
    "Chelan",
    "Bladen",
)

TOWNS = (
    "Dietrich",
    "Rayne",
    "Palmetto",
    "Buhl",
    "Chowchilla",
    "Wenatchee",
    "Immokalee",
    "Vidalia",
    "Salinas",
    "Othello",
    "Tifton",
    "Plant City",
)
