//! The lake: a set of Delta tables under one URL (a local directory, `file://` or `s3://`).
//!
//! Every write is one Delta commit. Commits race optimistically: delta-rs retries blind
//! appends itself, and a commit that still loses (an overwrite racing another writer) is
//! redone here on the newest version, up to [`COMMIT_ATTEMPTS`] times.

use std::path::Path;
use std::sync::{Arc, Once};
use std::time::Duration;

use arrow::array::{ArrayRef, BinaryArray, RecordBatch, new_null_array};
use arrow::compute::cast;
use arrow::datatypes::{Schema, SchemaRef};
use deltalake::kernel::StructType;
use deltalake::kernel::engine::arrow_conversion::TryIntoKernel;
use deltalake::kernel::transaction::CommitProperties;
use deltalake::logstore::{LogStore, LogStoreFactory, StorageConfig, default_logstore};
use deltalake::protocol::SaveMode;
use deltalake::{DeltaResult, DeltaTable, DeltaTableBuilder, DeltaTableError, ObjectStore};
use object_store::ObjectStoreExt;
use object_store::aws::AmazonS3Builder;
use serde::Serialize;
use tracing::{Instrument, debug, info_span, warn};
use url::Url;

use crate::error::{EngineError, Result};

pub mod schema;

pub use schema::Table;

/// How often a losing commit is redone before the writer gives up.
pub const COMMIT_ATTEMPTS: usize = 8;

/// An opened lake.
#[derive(Clone, Debug)]
pub struct Lake {
    root: Url,
    /// The object store for `s3://` lakes (built from the `AWS_*` environment).
    store: Option<Arc<dyn ObjectStore>>,
}

struct S3LogStoreFactory;

impl LogStoreFactory for S3LogStoreFactory {
    fn with_options(
        &self,
        prefixed_store: Arc<dyn ObjectStore>,
        root_store: Arc<dyn ObjectStore>,
        location: &Url,
        options: &StorageConfig,
    ) -> DeltaResult<Arc<dyn LogStore>> {
        Ok(default_logstore(
            prefixed_store,
            root_store,
            location,
            options,
        ))
    }
}

fn register_s3_scheme() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        if let Ok(url) = Url::parse("s3://") {
            deltalake::logstore::logstore_factories().insert(url, Arc::new(S3LogStoreFactory));
        }
    });
}

impl Lake {
    /// Opens the lake at `location`: a path, a `file://` URL or `s3://bucket/prefix`.
    /// Nothing is created until [`Lake::init`] or a write.
    pub fn open(location: &str) -> Result<Lake> {
        let invalid = |reason: String| EngineError::InvalidLake {
            location: location.to_string(),
            reason,
        };
        let has_scheme = location.contains("://");
        if has_scheme {
            let mut url = Url::parse(location).map_err(|e| invalid(e.to_string()))?;
            if !url.path().ends_with('/') {
                url.set_path(&format!("{}/", url.path()));
            }
            match url.scheme() {
                "file" => Ok(Lake {
                    root: url,
                    store: None,
                }),
                "s3" | "s3a" => {
                    let bucket = url
                        .host_str()
                        .filter(|b| !b.is_empty())
                        .ok_or_else(|| {
                            invalid("an s3 lake needs a bucket: s3://bucket/prefix".into())
                        })?
                        .to_string();
                    let store = AmazonS3Builder::from_env()
                        .with_bucket_name(&bucket)
                        .build()
                        .map_err(|e| {
                            invalid(format!("cannot configure S3 from AWS_* variables: {e}"))
                        })?;
                    register_s3_scheme();
                    Ok(Lake {
                        root: url,
                        store: Some(Arc::new(store)),
                    })
                }
                other => Err(invalid(format!(
                    "unsupported scheme {other:?}: use a directory, file:// or s3://"
                ))),
            }
        } else {
            let path = Path::new(location);
            let abs = if path.is_absolute() {
                path.to_path_buf()
            } else {
                std::env::current_dir()
                    .map_err(|e| EngineError::io(".", e))?
                    .join(path)
            };
            let url = Url::from_directory_path(&abs)
                .map_err(|_| invalid("not a usable directory path".into()))?;
            Ok(Lake {
                root: url,
                store: None,
            })
        }
    }

    /// The lake's root URL.
    pub fn root(&self) -> &Url {
        &self.root
    }

    /// The local directory of a file lake.
    pub fn local_dir(&self) -> Option<std::path::PathBuf> {
        (self.root.scheme() == "file")
            .then(|| self.root.to_file_path().ok())
            .flatten()
    }

    /// The object store of an `s3://` lake, to register with a DataFusion session.
    pub fn object_store(&self) -> Option<(Url, Arc<dyn ObjectStore>)> {
        let store = self.store.clone()?;
        let url = Url::parse(&format!(
            "{}://{}",
            self.root.scheme(),
            self.root.host_str()?
        ))
        .ok()?;
        Some((url, store))
    }

    pub fn table_url(&self, table: Table) -> Url {
        // The root always ends in '/', and table names are plain words.
        self.root
            .join(&format!("{}/", table.name()))
            .expect("a table name is a valid relative URL")
    }

    fn builder(&self, table: Table) -> Result<DeltaTableBuilder> {
        let url = self.table_url(table);
        let mut b = DeltaTableBuilder::from_url(url.clone())?;
        if let Some(store) = &self.store {
            b = b.with_storage_backend(store.clone(), url);
        }
        Ok(b)
    }

    /// The newest version of `table`.
    pub async fn load(&self, table: Table) -> Result<DeltaTable> {
        match self.builder(table)?.load().await {
            Ok(t) => Ok(t),
            Err(e) if is_missing(&e) => Err(EngineError::MissingTable {
                table: table.name().into(),
                lake: self.root.to_string(),
            }),
            Err(e) => Err(e.into()),
        }
    }

    /// `table` as of Delta version `version`.
    pub async fn load_version(&self, table: Table, version: u64) -> Result<DeltaTable> {
        Ok(self.builder(table)?.with_version(version).load().await?)
    }

    /// Creates every missing table; returns the tables it created. Safe to run concurrently.
    pub async fn init(&self) -> Result<Vec<Table>> {
        let mut created = Vec::new();
        for table in Table::ALL {
            if self.create_if_missing(table).await? {
                created.push(table);
            }
        }
        Ok(created)
    }

    async fn create_if_missing(&self, table: Table) -> Result<bool> {
        match self.load(table).await {
            Ok(_) => return Ok(false),
            Err(EngineError::MissingTable { .. }) => {}
            Err(e) => return Err(e),
        }
        self.create(table)
            .instrument(info_span!("create_table", table = table.name()))
            .await
    }

    async fn create(&self, table: Table) -> Result<bool> {
        if let Some(dir) = self.local_dir() {
            let dir = dir.join(table.name());
            std::fs::create_dir_all(&dir).map_err(|e| EngineError::io(dir, e))?;
        }
        let kernel: StructType = table
            .schema()
            .as_ref()
            .try_into_kernel()
            .map_err(|e| DeltaTableError::Generic(e.to_string()))?;
        let result = self
            .builder(table)?
            .build()?
            .create()
            .with_table_name(table.name())
            .with_comment(table.about())
            .with_columns(kernel.fields().cloned())
            .await;
        match result {
            Ok(_) => Ok(true),
            // Another process created it first: that is as good.
            Err(e) if self.load(table).await.is_ok() => {
                debug!(table = table.name(), error = %e, "table created concurrently");
                Ok(false)
            }
            Err(e) => Err(e.into()),
        }
    }

    /// Appends `batches` to `table` in one commit; returns the new version.
    pub async fn append(&self, table: Table, batches: Vec<RecordBatch>) -> Result<u64> {
        self.commit(table, batches, SaveMode::Append).await
    }

    /// Replaces the contents of `table` in one commit; returns the new version.
    pub async fn overwrite(&self, table: Table, batches: Vec<RecordBatch>) -> Result<u64> {
        self.commit(table, batches, SaveMode::Overwrite).await
    }

    async fn commit(&self, table: Table, batches: Vec<RecordBatch>, mode: SaveMode) -> Result<u64> {
        self.commit_once_landed(table, batches, mode)
            .instrument(info_span!("commit", table = table.name(), ?mode))
            .await
    }

    async fn commit_once_landed(
        &self,
        table: Table,
        batches: Vec<RecordBatch>,
        mode: SaveMode,
    ) -> Result<u64> {
        let batches = batches
            .into_iter()
            .filter(|b| b.num_rows() > 0 || mode == SaveMode::Overwrite)
            .map(|b| conform(&b, &table.schema()))
            .collect::<Result<Vec<_>>>()?;
        if batches.is_empty() {
            return self.version(table).await;
        }
        let mut attempt = 0;
        loop {
            attempt += 1;
            let current = self.load(table).await?;
            // An overwrite replaces what it read: if another commit landed meanwhile, it must
            // start again from the newest version, so delta-rs may not retry it blindly.
            let retries = if mode == SaveMode::Overwrite { 0 } else { 15 };
            let mut write = current
                .write(batches.clone())
                .with_save_mode(mode)
                .with_commit_properties(CommitProperties::default().with_max_retries(retries));
            if let Some(properties) = table.writer_properties()? {
                write = write.with_writer_properties(properties);
            }
            match write.await {
                Ok(t) => return Ok(t.version().unwrap_or_default()),
                Err(e) if is_conflict(&e) && attempt < COMMIT_ATTEMPTS => {
                    warn!(table = table.name(), attempt, error = %e, "commit lost a race; retrying");
                    tokio::time::sleep(Duration::from_millis(25 << attempt.min(6))).await;
                }
                Err(e) if is_conflict(&e) => {
                    return Err(EngineError::CommitConflict {
                        table: table.name().into(),
                        attempts: attempt,
                    });
                }
                Err(e) => return Err(e.into()),
            }
        }
    }

    /// Stores `bytes` at `rel` (a '/'-separated path) under the lake's root. A reader sees the
    /// old bytes or the new ones, never a part: a local file is written beside its place and
    /// renamed into it, and an object store's put is atomic.
    pub async fn put_blob(&self, rel: &str, bytes: Vec<u8>) -> Result<()> {
        if let Some(dir) = self.local_dir() {
            let path = dir.join(rel);
            let parent = path.parent().unwrap_or(&dir);
            std::fs::create_dir_all(parent).map_err(|e| EngineError::io(parent, e))?;
            let mut tmp =
                tempfile::NamedTempFile::new_in(parent).map_err(|e| EngineError::io(parent, e))?;
            std::io::Write::write_all(&mut tmp, &bytes).map_err(|e| EngineError::io(&path, e))?;
            tmp.persist(&path)
                .map_err(|e| EngineError::io(&path, e.error))?;
            return Ok(());
        }
        if let Some(store) = &self.store {
            let key = format!("{}{rel}", self.root.path().trim_start_matches('/'));
            store
                .put(&object_store::path::Path::from(key), bytes.into())
                .await?;
        }
        Ok(())
    }

    /// The bytes stored at `rel` under the lake's root, or `None` when there are none.
    pub async fn get_blob(&self, rel: &str) -> Result<Option<Vec<u8>>> {
        if let Some(dir) = self.local_dir() {
            let path = dir.join(rel);
            return match std::fs::read(&path) {
                Ok(b) => Ok(Some(b)),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
                Err(e) => Err(EngineError::io(path, e)),
            };
        }
        if let Some(store) = &self.store {
            let key = format!("{}{rel}", self.root.path().trim_start_matches('/'));
            return match store.get(&object_store::path::Path::from(key)).await {
                Ok(r) => Ok(Some(r.bytes().await?.to_vec())),
                Err(object_store::Error::NotFound { .. }) => Ok(None),
                Err(e) => Err(e.into()),
            };
        }
        Ok(None)
    }

    /// The newest version of `table`.
    pub async fn version(&self, table: Table) -> Result<u64> {
        Ok(self.load(table).await?.version().unwrap_or_default())
    }
}

/// Whether loading failed because there is no table at the location (yet).
fn is_missing(e: &DeltaTableError) -> bool {
    matches!(e, DeltaTableError::NotATable(_))
        || matches!(e, DeltaTableError::InvalidTableLocation(_))
        || e.to_string().contains("Path does not exist")
}

/// Whether a commit lost a race with another writer (and may be redone on the newest version).
fn is_conflict(e: &DeltaTableError) -> bool {
    use deltalake::kernel::transaction::TransactionError as T;
    match e {
        DeltaTableError::VersionAlreadyExists(_) => true,
        DeltaTableError::Transaction { source } => matches!(
            source,
            T::VersionAlreadyExists(_) | T::CommitConflict(_) | T::MaxCommitAttempts(_)
        ),
        _ => false,
    }
}

/// Casts `batch` to `schema` column by column (by name; missing columns become NULL), so that
/// what DataFusion computes (view types, other list field names) lands in the table's own types.
pub fn conform(batch: &RecordBatch, schema: &SchemaRef) -> Result<RecordBatch> {
    let columns: Vec<ArrayRef> = schema
        .fields()
        .iter()
        .map(|f| match batch.column_by_name(f.name()) {
            Some(c) if c.data_type() == f.data_type() => Ok(c.clone()),
            Some(c) => Ok(cast(c, f.data_type())?),
            None => Ok(new_null_array(f.data_type(), batch.num_rows())),
        })
        .collect::<Result<_>>()?;
    Ok(RecordBatch::try_new(schema.clone(), columns)?)
}

/// One row of `events`: what happened to the lake (an advisory revision landed, an evaluation
/// ran, a verdict changed), with the table versions involved.
#[derive(Serialize)]
pub struct EventRow {
    pub tenant: String,
    /// Deterministic: the same happening gives the same id.
    pub event_id: String,
    pub stream: &'static str,
    #[serde(rename = "type")]
    pub ty: &'static str,
    pub subject: String,
    /// JSON.
    pub payload: String,
    /// JSON: the table versions read and written.
    pub table_versions: String,
    /// RFC 3339.
    pub occurred_at: String,
}

/// Builds a batch of `table` from serializable rows (field names = column names), with the
/// table's binary columns given separately as raw bytes.
pub fn rows_to_batch<S: Serialize>(
    table: Table,
    rows: &[S],
    binaries: Vec<(&str, Vec<Option<Vec<u8>>>)>,
) -> Result<RecordBatch> {
    let schema = table.schema();
    let json_fields: Vec<_> = schema
        .fields()
        .iter()
        .filter(|f| !binaries.iter().any(|(n, _)| n == f.name()))
        .cloned()
        .collect();
    let json_schema = Arc::new(Schema::new(json_fields));
    let mut decoder = arrow::json::ReaderBuilder::new(json_schema.clone())
        .with_batch_size(rows.len().max(1))
        .build_decoder()?;
    decoder.serialize(rows)?;
    let decoded = decoder
        .flush()?
        .unwrap_or_else(|| RecordBatch::new_empty(json_schema.clone()));
    let columns: Vec<ArrayRef> = schema
        .fields()
        .iter()
        .map(|f| match binaries.iter().find(|(n, _)| n == f.name()) {
            Some((_, values)) => {
                Arc::new(BinaryArray::from_iter(values.iter().map(|v| v.as_deref()))) as ArrayRef
            }
            None => decoded
                .column_by_name(f.name())
                .cloned()
                .unwrap_or_else(|| new_null_array(f.data_type(), rows.len())),
        })
        .collect();
    Ok(RecordBatch::try_new(schema, columns)?)
}
