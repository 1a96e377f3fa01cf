use leptos::prelude::*;

use super::my_data_views::MyData;
use super::AppError;

/// The signed-in customer's personal fields (with what each is for and when it last changed), their contracts and
/// services, a pending email change and their requests about their data.
#[server(prefix = "/sf", endpoint = "get-my-data")]
pub async fn get_my_data() -> Result<MyData, AppError> {
    use super::context::*;
    use super::my_data_flows::my_data;

    let context = app_context()?;
    let me = require_customer(&context).await?;
    my_data(&context, me.customer()).await
}
