//! Population tables as SCB's PxWeb serves them, uploaded by staff: json-stat2 (PxWebApi 2.0)
//! or the classic v1 `json` format (`columns` / `data`). Parsed into rows of region, year, sex,
//! age and count, from which [`by_age_and_sex`] gives the population of survey age groups.
//!
//! Dimensions are recognised by code (case-insensitively) and role: `Region`, `Alder`, `Kon`,
//! `Tid`, `ContentsCode`. A table without `Region` is for the whole country ([`RIKET`]), without
//! `Kon` for both sexes, without `Alder` for all ages; `Tid` is required. `Civilstand` is summed
//! (civil statuses partition the population); any other dimension must hold a single category.

use std::collections::{BTreeMap, BTreeSet, HashSet};

use serde_json::Value;

/// SCB's region code of the whole country ("Riket").
pub const RIKET: &str = "00";

/// Sex as SCB's `Kon` codes it: `1` men, `2` women, `1+2` (or `tot`) both.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Sex {
    Men,
    Women,
    Both,
}

/// Age as SCB's `Alder` codes it: `15` is `Years { from: 15, to: Some(15) }`, `15-19` is 15 to
/// 19, `-4` is 0 to 4, `100+` is `Years { from: 100, to: None }`, `tot` is all ages.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Age {
    /// Ages `from` to `to` inclusive; `to: None` means "and older".
    Years {
        from: u32,
        to: Option<u32>,
    },
    Total,
}

/// The population of one region, year, sex and age.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PopulationRow {
    /// SCB region code, e.g. `1785` (Säffle) or `00` (Riket).
    pub region: String,
    /// The `Tid` code, e.g. `2024`.
    pub year: String,
    pub sex: Sex,
    pub age: Age,
    pub count: u64,
}

/// A parsed population table: one row per region, year, sex and age, sorted; cells without a
/// value (null, `..`) are left out.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PopulationTable {
    pub rows: Vec<PopulationRow>,
}

impl PopulationTable {
    /// The years of `region`'s rows, sorted.
    pub fn years(&self, region: &str) -> Vec<&str> {
        let years: BTreeSet<&str> = self.rows.iter().filter(|r| r.region == region).map(|r| r.year.as_str()).collect();
        years.into_iter().collect()
    }
}

/// Why an uploaded file is not a usable population table. The messages say what to do.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum PopulationError {
    #[error("not valid JSON (line {line}, column {column}: {message}); download the table from SCB as JSON")]
    Json { line: usize, column: usize, message: String },
    #[error("not a PxWeb table: {0}")]
    NotPxWeb(String),
    #[error("no {0}; download the table with it")]
    MissingDimension(&'static str),
    #[error("the table has two {role} dimensions ({first} and {second})")]
    TwoDimensions { role: &'static str, first: String, second: String },
    #[error("the table holds several measures ({0}); select only the population (Folkmängd) when downloading")]
    SeveralContents(String),
    #[error("dimension {dimension} has several categories ({categories}); select one when downloading")]
    SeveralCategories { dimension: String, categories: String },
    #[error("dimension {dimension} has the unknown code {code:?} (expected {expected})")]
    UnknownCode { dimension: String, code: String, expected: &'static str },
    #[error("the value {value} of {cell} is not a whole number of people")]
    BadValue { cell: String, value: String },
    #[error("the table holds {0} twice")]
    Duplicate(String),
    #[error("the numbers in the table are too large to be populations")]
    TooLarge,
    #[error("the table holds no population")]
    Empty,
    #[error("the table has no region {region} (it has {available})")]
    NoRegion { region: String, available: String },
    #[error("the table holds several years for region {region} ({years}); choose one, e.g. the latest, {latest}")]
    SeveralYears { region: String, years: String, latest: String },
    #[error("the table has no year {year} for region {region} (it has {available})")]
    NoYear { region: String, year: String, available: String },
    #[error("the table has no ages (dimension Alder) for region {0}; download it by age")]
    NoAges(String),
    #[error("the table does not give men and women separately (dimension Kon) for region {0}; download it by sex")]
    NoSexes(String),
    #[error("age group {0} is empty: it starts after it ends")]
    EmptyGroup(String),
    #[error("the table lacks {sex} aged {age} in region {region}, needed for the age group {group}")]
    MissingAge { region: String, sex: &'static str, age: u64, group: String },
}

/// Parses a PxWeb population table (json-stat2 or v1 `json`); any bytes give a table or an error.
pub fn parse(bytes: &[u8]) -> Result<PopulationTable, PopulationError> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let root: Value = serde_json::from_slice(bytes).map_err(|e| PopulationError::Json {
        line: e.line(),
        column: e.column(),
        message: e.to_string().split(" at line ").next().unwrap_or_default().to_owned(),
    })?;
    let Value::Object(object) = &root else {
        return Err(not_pxweb("the file is JSON but not an object"));
    };
    let cube = if object.contains_key("columns") && object.contains_key("data") {
        v1(object)?
    } else if object.get("class").and_then(Value::as_str) == Some("dataset") || object.contains_key("dimension") {
        json_stat2(object)?
    } else if let Some(class) = object.get("class").and_then(Value::as_str) {
        return Err(not_pxweb(&format!("a json-stat {class}, not a single dataset")));
    } else {
        return Err(not_pxweb("expected json-stat2 (id, size, dimension, value) or PxWeb json (columns, data)"));
    };
    assemble(cube)
}

fn not_pxweb(message: &str) -> PopulationError {
    PopulationError::NotPxWeb(message.to_owned())
}

/// What a dimension stands for, from its code or the table's role/type annotations.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Role {
    Region,
    Age,
    Sex,
    Time,
    Contents,
    Other,
}

impl Role {
    fn of(code: &str, hint: Option<Role>) -> Role {
        match code.to_lowercase().as_str() {
            "region" => Role::Region,
            "alder" | "ålder" => Role::Age,
            "kon" | "kön" => Role::Sex,
            "tid" => Role::Time,
            "contentscode" => Role::Contents,
            _ => hint.unwrap_or(Role::Other),
        }
    }

    fn name(self) -> &'static str {
        match self {
            Role::Region => "region (Region)",
            Role::Age => "age (Alder)",
            Role::Sex => "sex (Kon)",
            Role::Time => "year dimension (Tid)",
            Role::Contents => "contents (ContentsCode)",
            Role::Other => "other",
        }
    }
}

struct Dimension {
    code: String,
    role: Role,
    /// (code, label) in index order.
    categories: Vec<(String, String)>,
}

/// A table in either format: dimensions and cells (category index per dimension, value).
struct Cube<'a> {
    dimensions: Vec<Dimension>,
    cells: Vec<(Vec<usize>, &'a Value)>,
}

fn json_stat2(object: &serde_json::Map<String, Value>) -> Result<Cube<'_>, PopulationError> {
    let strings = |key: &str| -> Result<Vec<&str>, PopulationError> {
        let array = object.get(key).and_then(Value::as_array).ok_or_else(|| not_pxweb(&format!("no {key:?} list")))?;
        array.iter().map(|v| v.as_str().ok_or_else(|| not_pxweb(&format!("{key:?} holds a non-text")))).collect()
    };
    let ids = strings("id")?;
    let sizes = object.get("size").and_then(Value::as_array).ok_or_else(|| not_pxweb("no \"size\" list"))?;
    let sizes: Vec<usize> = sizes
        .iter()
        .map(|s| s.as_u64().and_then(|s| usize::try_from(s).ok()).ok_or_else(|| not_pxweb("a size is not a count")))
        .collect::<Result<_, _>>()?;
    if sizes.len() != ids.len() {
        return Err(not_pxweb("\"id\" and \"size\" differ in length"));
    }
    let mut hints: BTreeMap<&str, Role> = BTreeMap::new();
    if let Some(roles) = object.get("role").and_then(Value::as_object) {
        for (role, hint) in [("time", Role::Time), ("metric", Role::Contents), ("geo", Role::Region)] {
            for code in roles.get(role).and_then(Value::as_array).into_iter().flatten().filter_map(Value::as_str) {
                hints.insert(code, hint);
            }
        }
    }
    let dimension = object.get("dimension").and_then(Value::as_object).ok_or_else(|| not_pxweb("no \"dimension\""))?;
    let mut dimensions = Vec::new();
    for (&id, &size) in ids.iter().zip(&sizes) {
        let category = dimension
            .get(id)
            .and_then(|d| d.get("category"))
            .and_then(Value::as_object)
            .ok_or_else(|| not_pxweb(&format!("dimension {id} has no categories")))?;
        let labels = category.get("label").and_then(Value::as_object);
        let codes: Vec<(String, usize)> = match category.get("index") {
            Some(Value::Array(codes)) => codes
                .iter()
                .enumerate()
                .map(|(i, c)| c.as_str().map(|c| (c.to_owned(), i)))
                .collect::<Option<_>>()
                .ok_or_else(|| not_pxweb(&format!("dimension {id} has a non-text category")))?,
            Some(Value::Object(index)) => index
                .iter()
                .map(|(c, i)| i.as_u64().and_then(|i| usize::try_from(i).ok()).map(|i| (c.clone(), i)))
                .collect::<Option<_>>()
                .ok_or_else(|| not_pxweb(&format!("dimension {id} has a category without position")))?,
            // json-stat allows leaving out the index of a dimension with a single category.
            None if labels.is_some_and(|l| l.len() == 1) => {
                labels.into_iter().flatten().map(|(c, _)| (c.clone(), 0)).collect()
            }
            _ => return Err(not_pxweb(&format!("dimension {id} has no category index"))),
        };
        if codes.len() != size {
            return Err(not_pxweb(&format!("dimension {id} does not have {size} categories")));
        }
        let mut categories = vec![None; size];
        for (code, i) in codes {
            let label = labels.and_then(|l| l.get(&code)).and_then(Value::as_str).unwrap_or(&code).to_owned();
            match categories.get_mut(i) {
                Some(slot @ None) => *slot = Some((code, label)),
                _ => return Err(not_pxweb(&format!("dimension {id} does not have {size} categories"))),
            }
        }
        let categories = categories
            .into_iter()
            .collect::<Option<Vec<_>>>()
            .ok_or_else(|| not_pxweb(&format!("dimension {id} does not have {size} categories")))?;
        dimensions.push(Dimension { code: id.to_owned(), role: Role::of(id, hints.get(id).copied()), categories });
    }
    let total = sizes.iter().try_fold(1usize, |t, &s| t.checked_mul(s)).ok_or_else(|| not_pxweb("too many cells"))?;
    let values: Vec<(usize, &Value)> = match object.get("value") {
        Some(Value::Array(values)) if values.len() == total => values.iter().enumerate().collect(),
        Some(Value::Array(values)) => {
            return Err(not_pxweb(&format!("{} values for {total} cells", values.len())));
        }
        Some(Value::Object(values)) => values
            .iter()
            .map(|(i, v)| i.parse::<usize>().ok().filter(|&i| i < total).map(|i| (i, v)))
            .collect::<Option<_>>()
            .ok_or_else(|| not_pxweb("a value has a position outside the table"))?,
        _ => return Err(not_pxweb("no \"value\"")),
    };
    let cells = values
        .into_iter()
        .map(|(mut flat, value)| {
            let mut coordinates = vec![0; sizes.len()];
            for (c, &size) in coordinates.iter_mut().zip(&sizes).rev() {
                *c = flat % size;
                flat /= size;
            }
            (coordinates, value)
        })
        .collect();
    Ok(Cube { dimensions, cells })
}

fn v1(object: &serde_json::Map<String, Value>) -> Result<Cube<'_>, PopulationError> {
    let columns = object.get("columns").and_then(Value::as_array).ok_or_else(|| not_pxweb("\"columns\" is no list"))?;
    let mut dimensions = Vec::new();
    let mut contents = Vec::new();
    for column in columns {
        let text = |key| column.get(key).and_then(Value::as_str);
        let code = text("code").ok_or_else(|| not_pxweb("a column has no code"))?.to_owned();
        let label = text("text").unwrap_or(&code).to_owned();
        match text("type") {
            Some("c") => contents.push((code, label)),
            kind => {
                let hint = (kind == Some("t")).then_some(Role::Time);
                dimensions.push(Dimension { role: Role::of(&code, hint), code, categories: Vec::new() });
            }
        }
    }
    let keyed = dimensions.len();
    dimensions.push(Dimension { code: "ContentsCode".into(), role: Role::Contents, categories: contents });
    let data = object.get("data").and_then(Value::as_array).ok_or_else(|| not_pxweb("\"data\" is no list"))?;
    let mut indices: Vec<BTreeMap<String, usize>> = vec![BTreeMap::new(); keyed];
    let mut cells = Vec::new();
    for row in data {
        let key = row.get("key").and_then(Value::as_array).ok_or_else(|| not_pxweb("a data row has no key"))?;
        let values =
            row.get("values").and_then(Value::as_array).ok_or_else(|| not_pxweb("a data row has no values"))?;
        if key.len() != keyed || values.len() != dimensions[keyed].categories.len() {
            return Err(not_pxweb("a data row does not match the columns"));
        }
        let mut coordinates = Vec::with_capacity(keyed + 1);
        for ((code, index), dimension) in key.iter().zip(&mut indices).zip(&mut dimensions) {
            let code = code.as_str().ok_or_else(|| not_pxweb("a key holds a non-text"))?;
            let next = index.len();
            let i = *index.entry(code.to_owned()).or_insert(next);
            if i == next {
                dimension.categories.push((code.to_owned(), code.to_owned()));
            }
            coordinates.push(i);
        }
        for (j, value) in values.iter().enumerate() {
            let mut coordinates = coordinates.clone();
            coordinates.push(j);
            cells.push((coordinates, value));
        }
    }
    Ok(Cube { dimensions, cells })
}

/// What each category of a dimension means for a row.
enum Meaning {
    Region(Vec<String>),
    Year(Vec<String>),
    Sex(Vec<Sex>),
    Age(Vec<Age>),
    /// Only the category at this position counts (the population measure).
    Select(usize),
    /// Summed over (civil status) or a single category.
    Sum,
}

fn assemble(cube: Cube<'_>) -> Result<PopulationTable, PopulationError> {
    let mut seen_roles: BTreeMap<&'static str, &str> = BTreeMap::new();
    let mut meanings = Vec::new();
    for d in &cube.dimensions {
        if d.role != Role::Other
            && let Some(first) = seen_roles.insert(d.role.name(), &d.code)
        {
            let (first, second) = (first.to_owned(), d.code.clone());
            return Err(PopulationError::TwoDimensions { role: d.role.name(), first, second });
        }
        let codes = || d.categories.iter().map(|(c, _)| c.trim());
        let unknown = |code: &str, expected| PopulationError::UnknownCode {
            dimension: d.code.clone(),
            code: code.to_owned(),
            expected,
        };
        meanings.push(match d.role {
            Role::Region => Meaning::Region(codes().map(str::to_owned).collect()),
            Role::Time => Meaning::Year(codes().map(str::to_owned).collect()),
            Role::Sex => Meaning::Sex(
                codes().map(|c| sex(c).ok_or_else(|| unknown(c, "1, 2 or 1+2"))).collect::<Result<_, _>>()?,
            ),
            Role::Age => Meaning::Age(
                codes()
                    .map(|c| age(c).ok_or_else(|| unknown(c, "ages like 0, 15-19, 100+ or tot")))
                    .collect::<Result<_, _>>()?,
            ),
            Role::Contents => Meaning::Select(population_measure(&d.categories)?),
            Role::Other if d.categories.len() <= 1 => Meaning::Sum,
            Role::Other if summable(d) => Meaning::Sum,
            Role::Other => {
                let categories = list(d.categories.iter().map(category_name));
                return Err(PopulationError::SeveralCategories { dimension: d.code.clone(), categories });
            }
        });
    }
    if !meanings.iter().any(|m| matches!(m, Meaning::Year(_))) {
        return Err(PopulationError::MissingDimension(Role::Time.name()));
    }
    let mut counts: BTreeMap<(String, String, Sex, Age), u64> = BTreeMap::new();
    // A row's cells, told apart by the summed dimensions: one twice is a duplicate.
    let mut seen: HashSet<(&str, &str, Sex, Age, Vec<usize>)> = HashSet::new();
    'cells: for (coordinates, value) in &cube.cells {
        let (mut region, mut year, mut sex_, mut age_, mut summed) = (RIKET, "", Sex::Both, Age::Total, Vec::new());
        for (meaning, &i) in meanings.iter().zip(coordinates) {
            match meaning {
                Meaning::Region(codes) => region = codes.get(i).map_or("", String::as_str),
                Meaning::Year(codes) => year = codes.get(i).map_or("", String::as_str),
                Meaning::Sex(sexes) => sex_ = sexes.get(i).copied().unwrap_or(Sex::Both),
                Meaning::Age(ages) => age_ = ages.get(i).copied().unwrap_or(Age::Total),
                Meaning::Select(chosen) if *chosen != i => continue 'cells,
                Meaning::Sum => summed.push(i),
                Meaning::Select(_) => {}
            }
        }
        let cell = || describe(&cube.dimensions, coordinates);
        let Some(count) = count(value).map_err(|value| PopulationError::BadValue { cell: cell(), value })? else {
            continue;
        };
        if !seen.insert((region, year, sex_, age_, summed)) {
            return Err(PopulationError::Duplicate(cell()));
        }
        let total = counts.entry((region.to_owned(), year.to_owned(), sex_, age_)).or_insert(0);
        *total = total.checked_add(count).ok_or(PopulationError::TooLarge)?;
    }
    if counts.is_empty() {
        return Err(PopulationError::Empty);
    }
    let rows = counts
        .into_iter()
        .map(|((region, year, sex, age), count)| PopulationRow { region, year, sex, age, count })
        .collect();
    Ok(PopulationTable { rows })
}

/// Civil status partitions the population, so summing its categories is the total, unless one of
/// them already is a total.
fn summable(d: &Dimension) -> bool {
    d.code.eq_ignore_ascii_case("civilstand")
        && !d.categories.iter().any(|(c, l)| {
            let (c, l) = (c.to_lowercase(), l.to_lowercase());
            c.starts_with("tot") || l.starts_with("tot") || l.starts_with("samtliga")
        })
}

/// The category of the population measure: the only one, or the only one labelled Folkmängd.
fn population_measure(categories: &[(String, String)]) -> Result<usize, PopulationError> {
    if categories.len() == 1 {
        return Ok(0);
    }
    let population: Vec<usize> =
        (0..categories.len()).filter(|&i| categories[i].1.trim().to_lowercase().starts_with("folkmängd")).collect();
    match population.as_slice() {
        [i] => Ok(*i),
        _ if categories.is_empty() => Err(not_pxweb("the table has no measure (ContentsCode)")),
        _ => Err(PopulationError::SeveralContents(list(categories.iter().map(category_name)))),
    }
}

fn sex(code: &str) -> Option<Sex> {
    match code.to_lowercase().as_str() {
        "1" => Some(Sex::Men),
        "2" => Some(Sex::Women),
        "1+2" | "tot" | "totalt" => Some(Sex::Both),
        _ => None,
    }
}

fn age(code: &str) -> Option<Age> {
    let code = code.to_lowercase();
    let number = |s: &str| if !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) { s.parse().ok() } else { None };
    if code == "tot" || code == "totalt" {
        return Some(Age::Total);
    }
    let (from, to) = if let Some(from) = code.strip_suffix('+') {
        (number(from)?, None)
    } else if let Some((from, to)) = code.split_once('-') {
        let from = if from.is_empty() { 0 } else { number(from)? };
        let to = number(to)?;
        (to >= from).then_some((from, Some(to)))?
    } else {
        let age = number(&code)?;
        (age, Some(age))
    };
    Some(Age::Years { from, to })
}

/// A cell's count: `None` for a missing value (null or PxWeb's dots), an error text otherwise.
fn count(value: &Value) -> Result<Option<u64>, String> {
    match value {
        Value::Null => Ok(None),
        Value::Number(n) => match (n.as_u64(), n.as_f64()) {
            (Some(n), _) => Ok(Some(n)),
            (None, Some(f)) if f >= 0.0 && f.fract() == 0.0 && f < 9.0e15 => Ok(Some(f as u64)),
            _ => Err(n.to_string()),
        },
        Value::String(s) if !s.trim().is_empty() && s.trim().bytes().all(|b| b == b'.') => Ok(None),
        Value::String(s) => match s.trim().parse::<u64>() {
            Ok(n) => Ok(Some(n)),
            Err(_) => Err(format!("{s:?}")),
        },
        other => Err(other.to_string()),
    }
}

/// `code label`, or just the code when it is its own label.
fn category_name((code, label): &(String, String)) -> String {
    if code == label { code.clone() } else { format!("{code} {label}") }
}

fn describe(dimensions: &[Dimension], coordinates: &[usize]) -> String {
    let parts = dimensions.iter().zip(coordinates).filter_map(|(d, &i)| {
        let (code, _) = d.categories.get(i)?;
        Some(format!("{} {code}", d.code))
    });
    parts.collect::<Vec<_>>().join(", ")
}

/// At most six items, comma separated.
fn list(items: impl Iterator<Item = String>) -> String {
    let items: Vec<String> = items.collect();
    let mut text = items.iter().take(6).cloned().collect::<Vec<_>>().join(", ");
    if items.len() > 6 {
        text.push_str(&format!(" and {} more", items.len() - 6));
    }
    text
}

/// Population of `[men, women]` per survey age group of `region` (inclusive ranges, `to: None` =
/// "and older"), summing the table's ages. The table must hold a single year for the region;
/// otherwise the error names the years and [`by_age_and_sex_in_year`] takes one.
pub fn by_age_and_sex(
    table: &PopulationTable,
    region: &str,
    groups: &[(u32, Option<u32>)],
) -> Result<Vec<[u64; 2]>, PopulationError> {
    let years = region_years(table, region)?;
    match years.as_slice() {
        [year] => by_age_and_sex_in_year(table, region, year, groups),
        _ => Err(PopulationError::SeveralYears {
            region: region.to_owned(),
            years: list(years.iter().map(|y| y.to_string())),
            latest: years.last().map_or_else(String::new, |y| y.to_string()),
        }),
    }
}

/// [`by_age_and_sex`] for one `year` (a `Tid` code) of a table holding several; e.g. the latest,
/// `table.years(region).last()`.
pub fn by_age_and_sex_in_year(
    table: &PopulationTable,
    region: &str,
    year: &str,
    groups: &[(u32, Option<u32>)],
) -> Result<Vec<[u64; 2]>, PopulationError> {
    let years = region_years(table, region)?;
    if !years.contains(&year) {
        let (region, year, available) = (region.to_owned(), year.to_owned(), list(years.iter().map(|y| y.to_string())));
        return Err(PopulationError::NoYear { region, year, available });
    }
    let rows: Vec<&PopulationRow> = table.rows.iter().filter(|r| r.region == region && r.year == year).collect();
    if !rows.iter().any(|r| matches!(r.age, Age::Years { .. })) {
        return Err(PopulationError::NoAges(region.to_owned()));
    }
    if !rows.iter().any(|r| r.sex == Sex::Men) || !rows.iter().any(|r| r.sex == Sex::Women) {
        return Err(PopulationError::NoSexes(region.to_owned()));
    }
    groups
        .iter()
        .map(|&(from, to)| {
            let name = match to {
                Some(to) => format!("{from}-{to}"),
                None => format!("{from}+"),
            };
            if to.is_some_and(|to| to < from) {
                return Err(PopulationError::EmptyGroup(name));
            }
            let sum = |sex, word| {
                tile(&rows, sex, from, to).ok_or(PopulationError::TooLarge)?.map_err(|age| {
                    PopulationError::MissingAge { region: region.to_owned(), sex: word, age, group: name.clone() }
                })
            };
            Ok([sum(Sex::Men, "men")?, sum(Sex::Women, "women")?])
        })
        .collect()
}

fn region_years<'t>(table: &'t PopulationTable, region: &str) -> Result<Vec<&'t str>, PopulationError> {
    let years = table.years(region);
    if years.is_empty() {
        let regions: BTreeSet<&str> = table.rows.iter().map(|r| r.region.as_str()).collect();
        let available = list(regions.into_iter().map(str::to_owned));
        return Err(PopulationError::NoRegion { region: region.to_owned(), available });
    }
    Ok(years)
}

/// Sums the rows of `sex` whose age ranges exactly cover `from..=to` without overlap (single ages,
/// five-year groups or a mix). `Err(age)` names the first age not covered; `None` on overflow.
fn tile(rows: &[&PopulationRow], sex: Sex, from: u32, to: Option<u32>) -> Option<Result<u64, u64>> {
    const OPEN: u64 = u64::MAX;
    let end = to.map_or(OPEN, |to| u64::from(to) + 1);
    let mut ranges: Vec<(u64, u64, u64)> = rows
        .iter()
        .filter(|r| r.sex == sex)
        .filter_map(|r| match r.age {
            Age::Years { from, to } => Some((u64::from(from), to.map_or(OPEN, |to| u64::from(to) + 1), r.count)),
            Age::Total => None,
        })
        .filter(|&(f, e, _)| f >= u64::from(from) && e <= end)
        .collect();
    ranges.sort_unstable();
    // Sum reaching each age from `from`, through ranges sorted by their start: every range ending
    // at an age starts before it, so its sum is known by then.
    let mut reached: BTreeMap<u64, Option<u64>> = BTreeMap::from([(u64::from(from), Some(0))]);
    for (f, e, count) in ranges {
        if let Some(&sum) = reached.get(&f) {
            reached.entry(e).or_insert(sum.and_then(|s| s.checked_add(count)));
        }
    }
    match reached.get(&end) {
        Some(sum) => sum.map(Ok),
        None => Some(Err(reached.keys().next_back().copied().unwrap_or(u64::from(from)))),
    }
}

#[cfg(test)]
mod tests;
