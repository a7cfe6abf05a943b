//! FluxOrders entities. Every one is tenant-owned and implements
//! [`TenantOwned`](crate::tenancy::TenantOwned); read them through
//! [`scoped`](crate::tenancy::scoped).

pub mod address;
pub mod api_token;
pub mod customer;
pub mod customer_group;
pub mod image;
pub mod login_failure;
pub mod order;
pub mod order_item;
pub mod product;
pub mod product_group;
pub mod qb_connection;
pub mod session;
pub mod user;

use crate::tenancy::TenantOwned;

macro_rules! tenant_owned {
    ($($m:ident),*) => {$(
        impl TenantOwned for $m::Entity {
            fn tenant_column() -> Self::Column {
                $m::Column::TenantId
            }
        }
    )*};
}

tenant_owned!(
    address,
    api_token,
    customer,
    customer_group,
    image,
    order,
    order_item,
    product,
    product_group,
    qb_connection,
    session,
    user
);
