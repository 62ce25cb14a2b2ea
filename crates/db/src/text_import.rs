//! What the text importer (`lofte_import`) needs to know from the database: the municipality
//! names to check a text against and the police areas with the municipalities they cover.

use lofte_domain::{IsoDate, MunicipalityRef};
use lofte_import::{Context, KnownPoliceArea};

use crate::{Db, DbError, municipalities, police_areas, seed};

/// The importer's context from the database.
pub async fn context(
    db: &Db,
    municipality: Option<String>,
    police_area: Option<String>,
    today: IsoDate,
) -> Result<Context, DbError> {
    let municipalities =
        municipalities::names(db).await?.into_iter().map(|(code, name)| MunicipalityRef { code, name }).collect();
    let police_areas = police_areas::list(db)
        .await?
        .into_iter()
        .map(|p| KnownPoliceArea { name: p.name, municipality_codes: p.municipalities })
        .collect();
    Ok(Context { municipalities, police_areas, municipality, police_area, today })
}

/// The importer's context without a database: the compiled-in municipality list, no police
/// areas.
pub fn reference_context(
    municipality: Option<String>,
    police_area: Option<String>,
    today: IsoDate,
) -> Result<Context, DbError> {
    let data = seed::reference_data()?;
    let municipalities = data
        .municipalities
        .into_iter()
        .map(|m| MunicipalityRef { code: m.code.as_str().to_owned(), name: m.name })
        .collect();
    Ok(Context { municipalities, police_areas: vec![], municipality, police_area, today })
}
