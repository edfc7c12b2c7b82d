"""Vehicle vocabulary for the `make`, `model`, `make_model`, `vehicle_type`, `colour` and `fuel` generators.

Word lists and their weights per country and language, drawn with one ``rng.random()`` each. No global
randomness; :mod:`synthcert.text.generators` names these draws in its generator table.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence
from functools import cache
from itertools import accumulate

import numpy as np

from synthcert.text.countries import language_of


class Weighted:
    """A weighted choice among fixed items, drawn with one ``rng.random()``."""

    def __init__(self, items: Sequence[str], weights: Sequence[float]) -> None:
        self.items = tuple(items)
        self.cum = tuple(accumulate(weights))

    def __call__(self, rng: np.random.Generator) -> str:
        k = bisect_right(self.cum, rng.random() * self.cum[-1])
        return self.items[min(k, len(self.items) - 1)]


_MODELS: dict[str, tuple[str, ...]] = {
    "Škoda": ("Octavia", "Fabia", "Superb", "Kodiaq", "Karoq", "Kamiq", "Scala", "Enyaq"),
    "Volkswagen": ("Golf", "Passat", "Polo", "Tiguan", "T-Roc", "Touran", "Transporter", "ID.3"),
    "Renault": ("Clio", "Mégane", "Captur", "Kangoo", "Scénic", "Twingo"),
    "Peugeot": ("208", "308", "2008", "3008", "Partner"),
    "Citroën": ("C3", "C4", "Berlingo", "C5 Aircross"),
    "Ford": ("Focus", "Fiesta", "Mondeo", "Kuga", "Transit"),
    "Opel": ("Astra", "Corsa", "Insignia", "Zafira", "Mokka"),
    "Toyota": ("Corolla", "Yaris", "RAV4", "Auris", "Aygo"),
    "BMW": ("320d", "520d", "X3", "X5", "118i"),
    "Mercedes-Benz": ("C 200", "E 220 d", "A 180", "Sprinter", "Vito"),
    "Audi": ("A3", "A4", "A6", "Q3", "Q5"),
    "Fiat": ("Panda", "500", "Punto", "Tipo", "Ducato"),
    "Hyundai": ("i30", "i20", "Tucson", "Kona"),
    "Kia": ("Ceed", "Sportage", "Rio", "Niro"),
    "Dacia": ("Duster", "Sandero", "Logan", "Jogger"),
    "SEAT": ("Leon", "Ibiza", "Ateca", "Arona"),
    "Volvo": ("V60", "XC60", "XC90", "V70"),
    "Nissan": ("Qashqai", "Juke", "Micra", "X-Trail"),
    "Honda": ("Civic", "CR-V", "Jazz"),
    "Mazda": ("3", "6", "CX-5"),
    "Suzuki": ("Swift", "Vitara"),
    "Tesla": ("Model 3", "Model Y"),
    "Proton": ("Saga", "Persona", "X70"),
    "Perodua": ("Myvi", "Axia", "Bezza"),
}
_LOCAL_MAKES: dict[str, dict[str, float]] = {
    "CZ": {"Škoda": 8}, "SK": {"Škoda": 5, "Kia": 3}, "DE": {"Volkswagen": 5, "Mercedes-Benz": 3, "BMW": 3},
    "FR": {"Renault": 5, "Peugeot": 5, "Citroën": 4}, "IT": {"Fiat": 6}, "ES": {"SEAT": 5},
    "SE": {"Volvo": 5}, "MY": {"Proton": 10, "Perodua": 12, "Honda": 3, "Toyota": 3},
}


@cache
def _makes(country: str) -> Weighted:
    local = _LOCAL_MAKES.get(country, {})
    weights = [local.get(m, 0.1 if m in ("Proton", "Perodua") else 1.0) for m in _MODELS]
    return Weighted(tuple(_MODELS), weights)


def make(rng: np.random.Generator, country: str) -> str:
    return _makes(country)(rng)


def model(rng: np.random.Generator, country: str) -> str:
    models = _MODELS[make(rng, country)]
    return models[int(rng.random() * len(models))]


def make_model(rng: np.random.Generator, country: str) -> str:
    name = make(rng, country)
    return f"{name} {_MODELS[name][int(rng.random() * len(_MODELS[name]))]}"


VEHICLE_TYPE = Weighted(("M1", "N1", "L3e", "N2", "N3", "M2", "M3", "O1", "O2", "L1e", "L6e", "M1G"),
                       (70, 10, 6, 2, 2, 1, 1, 2, 2, 2, 1, 1))
_COLOURS = {  # white, black, silver, grey, blue, red, green, yellow, brown, beige, orange
    "en": "White Black Silver Grey Blue Red Green Yellow Brown Beige Orange",
    "cs": "Bílá Černá Stříbrná Šedá Modrá Červená Zelená Žlutá Hnědá Béžová Oranžová",
    "sk": "Biela Čierna Strieborná Sivá Modrá Červená Zelená Žltá Hnedá Béžová Oranžová",
    "de": "Weiß Schwarz Silber Grau Blau Rot Grün Gelb Braun Beige Orange",
    "fr": "Blanc Noir Argent Gris Bleu Rouge Vert Jaune Marron Beige Orange",
    "nl": "Wit Zwart Zilver Grijs Blauw Rood Groen Geel Bruin Beige Oranje",
    "pl": "Biały Czarny Srebrny Szary Niebieski Czerwony Zielony Żółty Brązowy Beżowy Pomarańczowy",
    "it": "Bianco Nero Argento Grigio Blu Rosso Verde Giallo Marrone Beige Arancione",
    "es": "Blanco Negro Plata Gris Azul Rojo Verde Amarillo Marrón Beige Naranja",
    "pt": "Branco Preto Prata Cinzento Azul Vermelho Verde Amarelo Castanho Bege Laranja",
    "hu": "Fehér Fekete Ezüst Szürke Kék Piros Zöld Sárga Barna Bézs Narancs",
    "ms": "Putih Hitam Perak Kelabu Biru Merah Hijau Kuning Coklat Krim Jingga",
}
_COLOUR_WEIGHTS = (5, 5, 4, 4, 3, 2, 1, 1, 1, 1, 1)
_COLOUR = {lang: Weighted(words.split(), _COLOUR_WEIGHTS) for lang, words in _COLOURS.items()}
_FUELS = {  # petrol, diesel, electric, hybrid, LPG, CNG
    "en": ("Petrol", "Diesel", "Electric", "Hybrid", "LPG", "CNG"),
    "cs": ("Benzin", "Nafta", "Elektro", "Benzin/Elektro", "Benzin/LPG", "CNG"),
    "sk": ("Benzín", "Nafta", "Elektrina", "Hybrid", "LPG", "CNG"),
    "de": ("Benzin", "Diesel", "Elektro", "Hybrid", "Autogas", "Erdgas"),
    "fr": ("Essence", "Gazole", "Électrique", "Hybride", "GPL", "GNV"),
    "nl": ("Benzine", "Diesel", "Elektriciteit", "Hybride", "LPG", "CNG"),
    "pl": ("Benzyna", "Olej napędowy", "Energia elektryczna", "Hybryda", "LPG", "CNG"),
    "it": ("Benzina", "Gasolio", "Elettrica", "Ibrida", "GPL", "Metano"),
    "es": ("Gasolina", "Diésel", "Eléctrico", "Híbrido", "GLP", "GNC"),
    "pt": ("Gasolina", "Gasóleo", "Elétrico", "Híbrido", "GPL", "GNC"),
    "hu": ("Benzin", "Gázolaj", "Elektromos", "Hibrid", "LPG", "CNG"),
    "ms": ("Petrol", "Diesel", "Elektrik", "Hibrid", "LPG", "NGV"),
}
_FUEL = {lang: Weighted(words, (6, 5, 1, 1, 0.5, 0.3)) for lang, words in _FUELS.items()}


def colour(rng: np.random.Generator, country: str) -> str:
    return _COLOUR.get(language_of(country), _COLOUR["en"])(rng)


def fuel(rng: np.random.Generator, country: str) -> str:
    return _FUEL.get(language_of(country), _FUEL["en"])(rng)


def vehicle_type(rng: np.random.Generator, country: str) -> str:
    return VEHICLE_TYPE(rng)
